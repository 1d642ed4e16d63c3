#include <cstdio>

int half(int x) { return x / 2; };
struct Empty {};
;
void hello() {
  std::puts("hello");
};
hello();
int h = half(10);
