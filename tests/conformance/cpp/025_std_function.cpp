#include <functional>
#include <map>
#include <string>
#include <iostream>

std::map<std::string, std::function<double(double, double)>> calc{
    {"+", [](double a, double b) { return a + b; }},
    {"-", [](double a, double b) { return a - b; }},
    {"*", std::multiplies<double>()},
};
calc["/"] = [](double a, double b) { return b != 0 ? a / b : 0.0; };

for (const auto &[op, fn] : calc) {
  std::cout << "8 " << op << " 2 = " << fn(8, 2) << "\n";
}
