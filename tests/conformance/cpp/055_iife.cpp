#include <vector>
#include <numeric>
#include <cstdio>

const auto table = [] {
  std::vector<int> t(10);
  std::iota(t.begin(), t.end(), 0);
  for (auto &x : t) x *= x;
  return t;
}();

[&] {
  int s = std::accumulate(table.begin(), table.end(), 0);
  std::printf("sum of squares: %d\n", s);
}();

int last = [](const std::vector<int> &v) { return v.back(); }(table);
