#include <ranges>
#include <vector>
#include <algorithm>
#include <iostream>

std::vector<int> values{9, 2, 7, 4, 5, 6, 1};
auto even_squares = values | std::views::filter([](int v) { return v % 2 == 0; })
                           | std::views::transform([](int v) { return v * v; });
for (int v : even_squares) std::cout << v << ' ';
std::cout << '\n';
std::ranges::sort(values);
auto pos = std::ranges::find(values, 7);
std::cout << (pos - values.begin()) << "\n";
for (int i : std::views::iota(0, 3)) std::cout << i;
