#include <cstdio>

template <typename T>
constexpr T pi_v = T(3.1415926535897932385L);

template <int N>
constexpr int fib_v = fib_v<N - 1> + fib_v<N - 2>;
template <>
constexpr int fib_v<0> = 0;
template <>
constexpr int fib_v<1> = 1;

std::printf("%f %d\n", pi_v<double>, fib_v<15>);
static_assert(fib_v<10> == 55);
