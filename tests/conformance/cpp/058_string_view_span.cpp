#include <string_view>
#include <span>
#include <cstdio>

constexpr std::string_view trim_left(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

int total(std::span<const int> xs) {
  int t = 0;
  for (int x : xs) t += x;
  return t;
}

constexpr auto trimmed = trim_left("   padded");
int data[] = {1, 2, 3, 4};
std::printf("[%.*s] %d\n", static_cast<int>(trimmed.size()), trimmed.data(), total(data));
