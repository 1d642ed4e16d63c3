#include <array>
#include <cstdio>

int matrix[3][3] = {
    {1, 2, 3},
    {4, 5, 6},
    {7, 8, 9},
};
int trace = 0;
for (int i = 0; i < 3; ++i) trace += matrix[i][i];
std::array<int, 5> arr = {5, 4, 3, 2, 1};
int *first = &arr[0];
*first = 10;
const char *names[] = {"zero", "one", "two"};
std::printf("%d %d %s %zu\n", trace, arr[0], names[2], sizeof(matrix) / sizeof(matrix[0]));
