#include <vector>
#include <algorithm>
#include <numeric>
#include <cstdio>

std::vector<int> v(20);
std::iota(v.begin(), v.end(), 1);
std::printf("%d\n",
            std::accumulate(v.begin(), v.end(), 0,
                            [](int acc, int x) {
                              if (x % 3 == 0) {
                                return acc + x;
                              }
                              return acc;
                            }));
v.erase(std::remove_if(v.begin(), v.end(),
                       [](int x) { return x % 2 == 0; }),
        v.end());
std::printf("%zu\n", v.size());
