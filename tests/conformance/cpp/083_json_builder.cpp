#include <string>
#include <vector>
#include <map>
#include <iostream>

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::map<std::string, std::string> obj{{"name", "Widget \"X\""}, {"path", "C:\\tmp"}};
std::string json = "{";
bool first = true;
for (const auto &[k, v] : obj) {
  if (!first) json += ",";
  first = false;
  json += "\"" + escape(k) + "\":\"" + escape(v) + "\"";
}
json += "}";
std::cout << json << "\n";
