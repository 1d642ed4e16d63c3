#include <string>
#include <iostream>

const char *json = R"({"name": "demo", "tags": ["a;b", "c}"]})";
std::string regex_src = R"re(\d+(\.\d+)?\s*;\s*\})re";
auto multi = R"x(line one;
line two }
line three)")x";
std::cout << json << "\n" << regex_src << "\n" << multi << std::endl;
std::u8string u = u8R"x(unicode ; raw)x";
std::wstring w = LR"(wide})";
