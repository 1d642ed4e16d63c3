#include <string>

namespace geometry {
inline constexpr double pi = 3.14159265358979;
double circle_area(double r) { return pi * r * r; }
}  // namespace geometry

namespace app::util {
std::string greet(const std::string &who) { return "hello, " + who; }
}

namespace {
int hidden_counter = 0;
}

inline namespace v2 {
int version() { return 2; }
}

namespace geo = geometry;
double area = geo::circle_area(2.0);
std::string g = app::util::greet("world");
hidden_counter += version();
