#include <vector>
#include <list>
#include <iostream>

template <template <typename, typename> class Container, typename T>
Container<T, std::allocator<T>> make_filled(std::size_t n, const T &v) {
  return Container<T, std::allocator<T>>(n, v);
}

auto vec = make_filled<std::vector>(3, 1.5);
auto lst = make_filled<std::list>(2, 'x');
std::cout << vec.size() << " " << lst.size() << "\n";
