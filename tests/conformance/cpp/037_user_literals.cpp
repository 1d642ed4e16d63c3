#include <cstdio>

struct Distance {
  long double meters;
};

constexpr Distance operator""_km(long double v) { return {v * 1000}; }
constexpr Distance operator""_m(long double v) { return {v}; }
constexpr unsigned long long operator""_kib(unsigned long long v) { return v * 1024; }

Distance d = 1.5_km;
Distance e = 250.0_m;
auto bytes = 64_kib;
std::printf("%.1Lf %.1Lf %llu\n", d.meters, e.meters, bytes);
