#include <iostream>
#include <numeric>
#include <vector>

struct Stats {
    double mean, var;
};

Stats stats(const std::vector<double> &xs) {
    double m = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
    double v = 0;
    for (double x : xs) v += (x - m) * (x - m);
    return {m, v / xs.size()};
}

int main() {
    auto [m, v] = stats({1, 2, 3, 4});
    std::cout << "mean " << m << " var " << v << std::endl;
}
