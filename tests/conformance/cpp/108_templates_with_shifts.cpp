#include <vector>
#include <map>
#include <utility>
#include <cstdio>

template <int N>
struct Pow2 {
  static constexpr long value = 1L << N;
};

template <typename T, typename U = std::vector<std::pair<T, std::map<T, std::vector<T>>>>>
struct Wrapper {
  U items;
};

template <bool B = (4 > 3), int S = (64 >> 2)>
constexpr int config() { return B ? S : -S; }

Wrapper<int> w;
w.items.push_back({1, {{2, {3, 4}}}});
long p = Pow2<10>::value >> 3;
int shifted = config<>() << 1;
std::vector<std::vector<std::vector<int>>> cube(2, std::vector<std::vector<int>>(2, std::vector<int>(2, 7)));
std::printf("%ld %d %d %zu\n", p, shifted, cube[1][1][1], w.items.size());
