#include <vector>
#include <cstdio>

std::vector<int> v{1, 2, 3, 4, 5};
int sum = 0;
for (int x : v) sum += x;
std::printf("sum = %d\n", sum);

int twice(int x) { return 2 * x; }
int t = twice(sum);
if (t > 20) {
  std::printf("big\n");
} else {
  std::printf("small\n");
}
