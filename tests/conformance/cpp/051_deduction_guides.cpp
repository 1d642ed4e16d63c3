#include <string>
#include <vector>
#include <iostream>

template <typename T>
struct Box {
  T value;
  Box(T v) : value(v) {}
};

Box(const char *) -> Box<std::string>;

template <typename It>
struct Range {
  It first, last;
  Range(It a, It b) : first(a), last(b) {}
};

template <typename C>
Range(C &) -> Range<typename C::iterator>;

Box b1{42};
Box b2{"text"};
std::vector<int> nums{1, 2, 3};
Range r(nums.begin(), nums.end());
std::cout << b1.value << " " << b2.value.size() << " " << (r.last - r.first) << "\n";
