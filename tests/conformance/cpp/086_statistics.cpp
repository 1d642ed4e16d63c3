#include <vector>
#include <algorithm>
#include <numeric>
#include <cmath>
#include <cstdio>

std::vector<double> sample{2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0};
double mean = std::accumulate(sample.begin(), sample.end(), 0.0) / sample.size();
double var = 0;
for (double x : sample) var += (x - mean) * (x - mean);
var /= sample.size();
double stddev = std::sqrt(var);
std::vector<double> sorted = sample;
std::sort(sorted.begin(), sorted.end());
double median = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                  : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
auto [mn, mx] = std::minmax_element(sample.begin(), sample.end());
std::printf("mean=%.2f sd=%.2f median=%.2f min=%.1f max=%.1f\n", mean, stddev, median, *mn, *mx);
