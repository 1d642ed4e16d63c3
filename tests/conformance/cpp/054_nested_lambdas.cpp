#include <functional>
#include <iostream>

auto make_adder = [](int a) {
  return [a](int b) {
    return [a, b](int c) { return a + b + c; };
  };
};

std::function<int(int)> fact = [](int n) { return n <= 1 ? 1 : n * fact(n - 1); };

auto compose = [](auto f, auto g) { return [=](auto x) { return f(g(x)); }; };
auto inc = [](int x) { return x + 1; };
auto dbl = [](int x) { return x * 2; };
auto inc_then_dbl = compose(dbl, inc);

std::cout << make_adder(1)(2)(3) << " " << fact(5) << " " << inc_then_dbl(4) << "\n";
