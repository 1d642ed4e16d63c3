#include <random>
#include <cstdio>

std::mt19937_64 gen(7);
std::uniform_real_distribution<double> unit(0.0, 1.0);
const int trials = 100'000;
int inside = 0;
for (int i = 0; i < trials; ++i) {
  double x = unit(gen), y = unit(gen);
  if (x * x + y * y <= 1.0) ++inside;
}
double pi_estimate = 4.0 * inside / trials;
std::printf("pi ~ %.4f\n", pi_estimate);
