#include <string>
#include <vector>
#include <iostream>

std::vector<std::string> parts{
    "alpha",
    "beta",
    "gamma",
};
std::string joined =
    parts[0] + ","
    + parts[1] + ","
    + parts[2];
std::cout
    << joined
    << " ("
    << joined.size()
    << ")\n";
int result = (1 +
              2) *
             (3 +
              4);
