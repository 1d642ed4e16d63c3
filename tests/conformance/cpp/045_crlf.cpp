#include <cstdio>

int a = 1;
int b = 2;
int add(int x, int y) {
  return x + y;
}
if (add(a, b) == 3) {
  std::puts("three");
}
else {
  std::puts("?");
}
#define TWICE(x) \
  ((x) * 2)
int c = TWICE(a);
