#include <string>
#include <iostream>

template <typename T>
struct TypeName {
  static std::string get() { return "unknown"; }
};

template <>
struct TypeName<int> {
  static std::string get() { return "int"; }
};

template <typename T>
struct TypeName<T *> {
  static std::string get() { return TypeName<T>::get() + "*"; }
};

template <typename T>
std::string type_of(const T &) { return TypeName<T>::get(); }

template <>
std::string type_of<double>(const double &) { return "double!"; }

int i = 0;
int *pi = &i;
std::cout << type_of(i) << " " << type_of(pi) << " " << type_of(1.0) << "\n";
