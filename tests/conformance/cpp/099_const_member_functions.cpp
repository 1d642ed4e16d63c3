#include <string>
#include <vector>
#include <iostream>

class Inventory {
 public:
  void add(const std::string &item, int n) & { items_.push_back({item, n}); }
  int total() const noexcept {
    int t = 0;
    for (const auto &[name, n] : items_) t += n;
    return t;
  }
  Inventory &&moved() && { return static_cast<Inventory &&>(*this); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::pair<std::string, int>> items_;
};

Inventory inv;
inv.add("bolts", 40);
inv.add("nuts", 55);
std::cout << inv.total() << "\n";
for (const auto &[name, n] : inv) std::cout << name << "=" << n << " ";
