#include <vector>
#include <cstdio>

template <typename T>
T sum(const std::vector<T> &v) {
  T s{};
  for (const T &x : v) s += x;
  return s;
}

template int sum<int>(const std::vector<int> &);
template double sum(const std::vector<double> &);

std::printf("%d %.1f\n", sum(std::vector<int>{1, 2, 3}), sum(std::vector<double>{0.5, 0.25}));
