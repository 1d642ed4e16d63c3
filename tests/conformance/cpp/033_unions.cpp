#include <cstdint>
#include <cstdio>

union Bits {
  float f;
  std::uint32_t u;
};

struct Tagged {
  enum Kind { Int, Real } kind;
  union {
    int i;
    double d;
  };
};

Bits b;
b.f = 1.0f;
std::printf("%08x\n", b.u);
Tagged t{};
t.kind = Tagged::Real;
t.d = 2.5;
std::printf("%d %f\n", t.kind, t.d);
