#include <iostream>
#include <compare>

struct Money {
  long cents;
  Money &operator+=(const Money &o) { cents += o.cents; return *this; }
  friend Money operator+(Money a, const Money &b) { a += b; return a; }
  auto operator<=>(const Money &) const = default;
};

std::ostream &operator<<(std::ostream &os, const Money &m) {
  return os << m.cents / 100 << "." << m.cents % 100;
}

bool operator==(const Money &a, long c) { return a.cents == c; }

Money wallet{1050};
wallet += Money{250};
std::cout << wallet << " " << (wallet > Money{100}) << " " << (wallet == 1300) << "\n";
