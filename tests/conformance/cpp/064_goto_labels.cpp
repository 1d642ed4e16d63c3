#include <cstdio>

int find_pair(const int (*m)[3], int rows, int target) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < 3; ++j)
      if (m[i][j] == target) goto found;
  return -1;
found:
  return 1;
}

int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
std::printf("%d %d\n", find_pair(grid, 2, 5), find_pair(grid, 2, 9));
