#include <vector>
#include <cstdio>
#include <stdexcept>

class Matrix {
 public:
  Matrix(std::size_t r, std::size_t c) : r_(r), c_(c), d_(r * c, 0.0) {}
  double &operator()(std::size_t i, std::size_t j) { return d_[i * c_ + j]; }
  double operator()(std::size_t i, std::size_t j) const { return d_[i * c_ + j]; }
  std::size_t rows() const { return r_; }
  std::size_t cols() const { return c_; }
  Matrix operator*(const Matrix &o) const {
    if (c_ != o.r_) throw std::invalid_argument("shape");
    Matrix m(r_, o.c_);
    for (std::size_t i = 0; i < r_; ++i)
      for (std::size_t j = 0; j < o.c_; ++j)
        for (std::size_t k = 0; k < c_; ++k) m(i, j) += (*this)(i, k) * o(k, j);
    return m;
  }

 private:
  std::size_t r_, c_;
  std::vector<double> d_;
};

Matrix a(2, 2), b(2, 2);
a(0, 0) = 1; a(0, 1) = 2; a(1, 0) = 3; a(1, 1) = 4;
b(0, 0) = 0; b(0, 1) = 1; b(1, 0) = 1; b(1, 1) = 0;
Matrix c = a * b;
std::printf("%g %g %g %g\n", c(0, 0), c(0, 1), c(1, 0), c(1, 1));
