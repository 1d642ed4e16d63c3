#include <iostream>
#include <vector>
#include <algorithm>

int square(int x) { return x * x; }

int main() {
    std::vector<int> v = {5, 3, 8, 1};
    std::sort(v.begin(), v.end());
    for (int x : v) std::cout << square(x) << ' ';
    std::cout << '\n';
    return 3;
}
