#include <vector>
#include <cstdio>

std::vector<int> data{4, 8, 15, 16, 23, 42};
for (int i = 0; auto x : data) {
  std::printf("%d:%d ", i++, x);
}
std::printf("\n");
for (auto &x : data) x *= 2;
int evens = 0;
for (auto it = data.begin(); it != data.end(); ++it)
  if (*it % 4 == 0) ++evens;
std::printf("%d\n", evens);
