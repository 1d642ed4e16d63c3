#include <iostream>
#include <utility>

template <typename... Ts>
auto sum_all(Ts... xs) {
  return (xs + ... + 0);
}

template <typename... Args>
void print_all(Args &&...args) {
  ((std::cout << std::forward<Args>(args) << ' '), ...);
  std::cout << '\n';
}

auto s = sum_all(1, 2, 3, 4);
print_all("sum:", s, 'x', 2.5);
template <typename T, typename... Rest>
constexpr std::size_t count_args(T, Rest...) { return 1 + sizeof...(Rest); }
static_assert(count_args(1, 2, 3) == 3);
