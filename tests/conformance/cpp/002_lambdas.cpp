#include <algorithm>
#include <vector>
#include <iostream>

std::vector<int> xs{5, 3, 9, 1, 7};
auto by_desc = [](int a, int b) { return a > b; };
std::sort(xs.begin(), xs.end(), by_desc);
for (int x : xs) std::cout << x << ' ';
std::cout << '\n';

int base = 10;
auto add_base = [b = base](int v) mutable { b += 1; return v + b; };
int r1 = add_base(1);
auto counter = [n = 0]() mutable { return ++n; };
counter();
counter();
std::cout << "counter: " << counter() << ", r1 = " << r1 << std::endl;
