#include <iostream>

template <typename Derived>
struct Comparable {
  bool operator!=(const Derived &o) const { return !(self() == o); }
  const Derived &self() const { return static_cast<const Derived &>(*this); }
};

struct Version : Comparable<Version> {
  int major, minor;
  Version(int a, int b) : major(a), minor(b) {}
  bool operator==(const Version &o) const { return major == o.major && minor == o.minor; }
};

Version v1{1, 2}, v2{1, 3};
std::cout << std::boolalpha << (v1 != v2) << "\n";
