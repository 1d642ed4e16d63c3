#include <concepts>
#include <cstdio>

template <typename T>
concept Number = std::integral<T> || std::floating_point<T>;

template <Number T>
T clamp_to(T v, T lo, T hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

template <typename T>
  requires std::integral<T>
T gcd(T a, T b) {
  while (b != 0) {
    T t = a % b;
    a = b;
    b = t;
  }
  return a;
}

auto square(std::integral auto x) { return x * x; }

std::printf("%d %d %d\n", clamp_to(15, 0, 10), gcd(84, 36), square(9));
