#include <map>
#include <string>
#include <tuple>
#include <iostream>

std::map<std::string, int> ages{{"ann", 31}, {"bob", 27}};
for (const auto &[name, age] : ages) {
  std::cout << name << " is " << age << "\n";
}
auto [q, r] = std::make_pair(17 / 5, 17 % 5);
std::tuple<int, double, char> tup{1, 2.5, 'z'};
auto &[ti, td, tc] = tup;
std::cout << q << " " << r << " " << ti << td << tc << std::endl;
