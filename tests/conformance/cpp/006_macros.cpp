#include <cstdio>

#define SQUARE(x) ((x) * (x))
#define MAX(a, b) \
  ((a) > (b) ? (a) : (b))
#define LOG(fmt, ...) \
  do { \
    std::printf("[log] " fmt "\n", __VA_ARGS__); \
  } while (0)

int s = SQUARE(7);
int m = MAX(s, 50);
LOG("s=%d m=%d", s, m);
#undef SQUARE
