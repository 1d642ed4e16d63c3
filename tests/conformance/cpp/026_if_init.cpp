#include <map>
#include <string>
#include <cstdio>

std::map<std::string, int> stock{{"apple", 3}, {"pear", 0}};
if (auto it = stock.find("apple"); it != stock.end() && it->second > 0) {
  std::printf("have %d apples\n", it->second);
} else {
  std::printf("no apples\n");
}
if (int n = stock["pear"]; n == 0)
  std::printf("out of pears\n");
switch (auto n = stock.size(); n) {
  case 2:
    std::printf("two kinds\n");
    break;
  default:
    break;
}
