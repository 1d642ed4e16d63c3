#include <type_traits>
#include <iostream>

template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
T half(T v) {
  return v / 2;
}

template <typename T>
auto has_size_impl(int) -> decltype(std::declval<T>().size(), std::true_type{});
template <typename T>
auto has_size_impl(...) -> std::false_type;
template <typename T>
constexpr bool has_size = decltype(has_size_impl<T>(0))::value;

struct Bag { int size() const { return 3; } };
std::cout << half(9) << " " << half(9.0) << " " << has_size<Bag> << has_size<int> << "\n";
