#include <cmath>
#include <functional>
#include <cstdio>

double newton(std::function<double(double)> f, std::function<double(double)> df, double x0, int iters = 20) {
  double x = x0;
  for (int i = 0; i < iters; ++i) {
    double step = f(x) / df(x);
    x -= step;
    if (std::fabs(step) < 1e-12) break;
  }
  return x;
}

double root2 = newton([](double x) { return x * x - 2; }, [](double x) { return 2 * x; }, 1.0);
double cube3 = newton([](double x) { return x * x * x - 3; }, [](double x) { return 3 * x * x; }, 1.0);
std::printf("%.10f %.10f\n", root2, cube3);
