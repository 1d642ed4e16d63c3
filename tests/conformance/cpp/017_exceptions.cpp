#include <stdexcept>
#include <iostream>
#include <string>

int parse_positive(const std::string &s) {
  int v = std::stoi(s);
  if (v < 0) throw std::domain_error("negative: " + s);
  return v;
}

try {
  parse_positive("-3");
} catch (const std::domain_error &e) {
  std::cout << "domain: " << e.what() << "\n";
} catch (const std::exception &e) {
  std::cout << "other: " << e.what() << "\n";
} catch (...) {
  std::cout << "unknown\n";
}

int ok = parse_positive("12");
