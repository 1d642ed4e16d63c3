#include <vector>
#include <utility>
#include <cstdio>

template <typename It>
void quick_sort(It lo, It hi) {
  if (hi - lo < 2) return;
  auto pivot = *(lo + (hi - lo) / 2);
  It i = lo, j = hi - 1;
  while (i <= j) {
    while (*i < pivot) ++i;
    while (pivot < *j) --j;
    if (i <= j) {
      std::swap(*i, *j);
      ++i;
      --j;
    }
  }
  quick_sort(lo, j + 1);
  quick_sort(i, hi);
}

std::vector<int> a{38, 27, 43, 3, 9, 82, 10};
quick_sort(a.begin(), a.end());
for (int x : a) std::printf("%d ", x);
std::printf("\n");
