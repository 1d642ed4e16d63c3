#include <vector>
#include <algorithm>
#include <iterator>
#include <iostream>

template <typename Range, typename Pred>
auto count_where(const Range &r, Pred p) {
  return std::count_if(std::begin(r), std::end(r), p);
}

template <typename T>
std::vector<T> unique_sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<int> nums{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
auto odd = count_where(nums, [](int x) { return x % 2; });
auto uniq = unique_sorted(nums);
std::copy(uniq.begin(), uniq.end(), std::ostream_iterator<int>(std::cout, " "));
std::cout << "| odd=" << odd << "\n";
