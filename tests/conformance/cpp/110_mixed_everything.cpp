// A typical assistant answer: includes, helpers, data, then the work.
#include <iostream>
#include <vector>
#include <string>
#include <algorithm>
#include <iomanip>

#define PRINT_HEADER(title) \
  std::cout << "== " << title << " ==" << '\n'

struct Employee {
  std::string name;
  std::string dept;
  double salary;
};

namespace report {
double average(const std::vector<Employee> &es) {
  if (es.empty()) return 0.0;
  double s = 0;
  for (const auto &e : es) s += e.salary;
  return s / es.size();
}
}  // namespace report

std::vector<Employee> staff = {
    {"Alice", "eng", 120'000},
    {"Bob", "eng", 95'500.50},
    {"Chen", "ops", 70'250},
    {"Dana", "sales", 88'000},
};

PRINT_HEADER("Payroll");
std::sort(staff.begin(), staff.end(), [](const Employee &a, const Employee &b) { return a.salary > b.salary; });
for (const auto &[name, dept, salary] : staff) {
  std::cout << std::left << std::setw(8) << name << std::setw(6) << dept << std::fixed << std::setprecision(2)
            << salary << '\n';
}
auto avg = report::average(staff);
if (avg > 90'000) {
  std::cout << "average above 90k: " << avg << '\n';
} else {
  std::cout << "average: " << avg << '\n';
}
