#include <cstdio>

int n = 0;
do {
  n += 3;
} while (n < 10);

int k = 5;
do k--; while (k > 0);

int iterations = 0;
while (iterations < 3) iterations++;
std::printf("%d %d %d\n", n, k, iterations);
