#include <vector>
#include <cstdio>

class Polynomial {
 public:
  explicit Polynomial(std::vector<double> c) : coef_(std::move(c)) {}
  double operator()(double x) const {
    double r = 0;
    for (auto it = coef_.rbegin(); it != coef_.rend(); ++it) r = r * x + *it;
    return r;
  }
  double &operator[](std::size_t i) { return coef_[i]; }
  Polynomial &operator*=(double k) {
    for (auto &c : coef_) c *= k;
    return *this;
  }

 private:
  std::vector<double> coef_;
};

Polynomial p({1, 0, 2});
p[1] = 3;
p *= 2;
std::printf("%g %g\n", p(0), p(1));
