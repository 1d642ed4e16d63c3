#include <map>
#include <sstream>
#include <string>
#include <vector>
#include <algorithm>
#include <iostream>

const std::string corpus = R"(the cat sat on the mat
the dog sat on the log
a cat and a dog)";

std::map<std::string, int> counts;
std::istringstream stream(corpus);
for (std::string w; stream >> w;) ++counts[w];

std::vector<std::pair<std::string, int>> ranked(counts.begin(), counts.end());
std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
  return a.second != b.second ? a.second > b.second : a.first < b.first;
});
for (std::size_t i = 0; i < 3 && i < ranked.size(); ++i)
  std::cout << ranked[i].first << ": " << ranked[i].second << "\n";
