#include <bitset>
#include <numeric>
#include <vector>
#include <iostream>

std::bitset<8> bits(0b1011'0010);
bits.flip(0);
std::vector<double> xs{1.5, 2.5, 3.0};
double mean = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
double dot = std::inner_product(xs.begin(), xs.end(), xs.begin(), 0.0);
int g = std::gcd(48, 180), l = std::lcm(4, 6);
std::cout << bits << " " << bits.count() << " " << mean << " " << dot << " " << g << " " << l << "\n";
