#include <string>
#include <vector>
#include <sstream>
#include <iostream>

struct Row {
  std::string name;
  double price;
  int qty;
};

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

const char *csv = "apple,0.5,10\nbread,2.25,2\nmilk,1.1,3\n";
std::vector<Row> rows;
std::istringstream lines(csv);
for (std::string line; std::getline(lines, line);) {
  auto f = split(line, ',');
  rows.push_back({f[0], std::stod(f[1]), std::stoi(f[2])});
}
double total = 0;
for (const auto &r : rows) total += r.price * r.qty;
std::cout << rows.size() << " rows, total " << total << "\n";
