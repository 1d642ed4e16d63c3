#include <vector>
#include <utility>
#include <cstdio>

std::vector<int> store{1, 2, 3};

decltype(auto) at(std::vector<int> &v, std::size_t i) { return v[i]; }

template <typename F, typename... Args>
decltype(auto) invoke_logged(F &&f, Args &&...args) {
  std::printf("calling\n");
  return std::forward<F>(f)(std::forward<Args>(args)...);
}

at(store, 0) = 100;
auto &&ref = store[1];
ref = 200;
decltype(store.size()) n = store.size();
int r = invoke_logged([](int a, int b) { return a * b; }, 6, 7);
std::printf("%d %d %zu %d\n", store[0], store[1], n, r);
