#include <vector>
#include <string>
#include <iostream>

template <typename C>
concept Container = requires(C c) {
  c.begin();
  c.end();
  { c.size() } -> std::convertible_to<std::size_t>;
};

template <Container C>
std::size_t count_items(const C &c) { return c.size(); }

std::vector<int> numbers{1, 2, 3};
std::string word = "hello";
std::cout << count_items(numbers) << " " << count_items(word) << "\n";
