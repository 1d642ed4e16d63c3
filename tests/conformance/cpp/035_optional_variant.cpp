#include <optional>
#include <variant>
#include <string>
#include <iostream>

std::optional<int> parse_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::nullopt;
}

using Value = std::variant<int, double, std::string>;

struct Printer {
  void operator()(int i) const { std::cout << "int " << i << "\n"; }
  void operator()(double d) const { std::cout << "double " << d << "\n"; }
  void operator()(const std::string &s) const { std::cout << "string " << s << "\n"; }
};

Value vals[] = {1, 2.5, std::string("three")};
for (const auto &v : vals) std::visit(Printer{}, v);
auto d = parse_digit('7').value_or(-1);
auto none = parse_digit('x').has_value();
std::cout << d << " " << none << "\n";
