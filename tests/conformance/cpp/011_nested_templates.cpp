#include <vector>
#include <map>
#include <string>

std::vector<std::vector<int>> grid(3, std::vector<int>(4, 0));
std::map<std::string, std::vector<std::pair<int, int>>> routes;
routes["a"].push_back({1, 2});
grid[1][2] = 7;

template <typename T>
using Matrix = std::vector<std::vector<T>>;
Matrix<double> md(2, std::vector<double>(2, 1.5));
std::vector<std::map<int, std::vector<int>>> deep;
deep.emplace_back();
int shifted = 256 >> 2;
bool cmp = (3 > 2) && (grid.size() >> 1) == 1;
