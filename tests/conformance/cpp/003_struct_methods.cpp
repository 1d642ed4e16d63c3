#include <cmath>
#include <cstdio>

struct Point {
  double x = 0, y = 0;
  double norm() const { return std::sqrt(x * x + y * y); }
  Point operator+(const Point &o) const { return {x + o.x, y + o.y}; }
};

Point a{3, 4};
Point b{1, 1};
Point c = a + b;
std::printf("%.2f %.2f -> %.3f\n", c.x, c.y, c.norm());
