#include <cstdio>

int value = 10;
namespace inner {
int value = 20;
int sum() { return value + ::value; }
}

::value += 1;
inner::value *= 2;
++::value;
std::printf("%d %d %d\n", ::value, inner::value, inner::sum());
