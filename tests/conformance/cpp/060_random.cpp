#include <random>
#include <vector>
#include <algorithm>
#include <cstdio>

std::mt19937 rng(12345);
std::uniform_int_distribution<int> die(1, 6);
std::normal_distribution<double> gauss(0.0, 1.0);
std::vector<int> rolls(10);
std::generate(rolls.begin(), rolls.end(), [&] { return die(rng); });
double g = gauss(rng);
std::shuffle(rolls.begin(), rolls.end(), rng);
int sixes = static_cast<int>(std::count(rolls.begin(), rolls.end(), 6));
std::printf("%d sixes, g=%.3f\n", sixes, g);
