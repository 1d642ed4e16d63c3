#include <exception>
#include <string>
#include <iostream>

class ParseError : public std::exception {
 public:
  ParseError(std::string msg, int line) : msg_(std::move(msg) + " at line " + std::to_string(line)) {}
  const char *what() const noexcept override { return msg_.c_str(); }
 private:
  std::string msg_;
};

void must_be_digit(char c, int line) {
  if (c < '0' || c > '9') throw ParseError(std::string("bad char '") + c + "'", line);
}

try {
  must_be_digit('7', 1);
  must_be_digit('x', 2);
} catch (const ParseError &e) {
  std::cout << e.what() << "\n";
}
