#include <cstdint>
#include <iostream>

std::uint64_t fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

constexpr std::uint64_t fact(unsigned n) { return n == 0 ? 1 : n * fact(n - 1); }

static_assert(fact(5) == 120, "fact");
for (unsigned i = 0; i < 10; ++i)
  std::cout << fib(i) << (i + 1 < 10 ? "," : "\n");
constexpr auto f10 = fact(10);
