#include <string>
#include <iostream>

class Registry {
 public:
  static int count;
  static const std::string prefix;
  static void add() { ++count; }
  struct Entry {
    int id;
    std::string name;
  };
  static Entry make(const std::string &n) { return Entry{count, prefix + n}; }
};

int Registry::count = 0;
const std::string Registry::prefix = "reg:";

Registry::add();
Registry::add();
Registry::Entry e = Registry::make("x");
std::cout << e.id << " " << e.name << "\n";
