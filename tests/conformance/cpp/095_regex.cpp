#include <regex>
#include <string>
#include <iostream>

const std::string log_text = R"(2024-01-05 ERROR disk full
2024-01-06 INFO started
2024-01-07 ERROR network down)";
std::regex pattern(R"((\d{4}-\d{2}-\d{2}) (ERROR) (.+))");
int errors = 0;
for (std::sregex_iterator it(log_text.begin(), log_text.end(), pattern), end; it != end; ++it) {
  std::cout << (*it)[1] << ": " << (*it)[3] << "\n";
  ++errors;
}
std::cout << errors << " errors\n";
