#include <compare>
#include <string>
#include <set>
#include <iostream>

struct Version {
  int major = 0, minor = 0, patch = 0;
  auto operator<=>(const Version &) const = default;
  bool operator==(const Version &) const = default;
};

std::set<Version> versions{{1, 2, 3}, {1, 10, 0}, {0, 9, 9}};
Version newest = *versions.rbegin();
auto cmp = Version{1, 2, 3} <=> Version{1, 2, 4};
std::cout << newest.major << "." << newest.minor << " " << (cmp < 0) << "\n";
