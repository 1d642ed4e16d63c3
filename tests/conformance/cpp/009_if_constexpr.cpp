#include <type_traits>
#include <string>
#include <iostream>

template <typename T>
std::string describe(const T &v) {
  if constexpr (std::is_integral_v<T>) {
    return "integer " + std::to_string(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return "float " + std::to_string(v);
  } else {
    return "other";
  }
}

std::cout << describe(42) << "\n";
std::cout << describe(2.5) << "\n";
if constexpr (sizeof(void *) == 8) {
  std::cout << "64-bit\n";
}
