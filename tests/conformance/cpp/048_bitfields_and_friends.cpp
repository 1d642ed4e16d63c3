#include <cstdio>

struct Flags {
  unsigned ready : 1;
  unsigned error : 1;
  unsigned level : 4;
};

class Secret {
  int value_ = 42;
  friend int reveal(const Secret &s);
  friend struct Inspector;
};

int reveal(const Secret &s) { return s.value_; }

struct Inspector {
  static int peek(const Secret &s) { return s.value_ + 1; }
};

Flags f{1, 0, 9};
Secret s;
std::printf("%u %u %u %d %d\n", f.ready, f.error, f.level, reveal(s), Inspector::peek(s));
