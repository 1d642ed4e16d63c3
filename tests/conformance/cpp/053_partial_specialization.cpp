#include <cstdio>
#include <type_traits>

template <typename A, typename B>
struct Same { static constexpr bool value = false; };

template <typename A>
struct Same<A, A> { static constexpr bool value = true; };

template <typename T>
struct Rank { static constexpr int value = 0; };

template <typename T, int N>
struct Rank<T[N]> { static constexpr int value = 1 + Rank<T>::value; };

static_assert(Same<int, int>::value && !Same<int, long>::value);
std::printf("%d\n", Rank<int[2][3]>::value);
