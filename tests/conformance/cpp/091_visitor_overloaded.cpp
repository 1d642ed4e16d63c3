#include <variant>
#include <vector>
#include <string>
#include <iostream>

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

using Token = std::variant<int, char, std::string>;
std::vector<Token> tokens{12, '+', std::string("x"), '*', 3};
for (const auto &t : tokens) {
  std::visit(overloaded{
                 [](int i) { std::cout << "num(" << i << ") "; },
                 [](char c) { std::cout << "op(" << c << ") "; },
                 [](const std::string &s) { std::cout << "id(" << s << ") "; },
             },
             t);
}
std::cout << "\n";
