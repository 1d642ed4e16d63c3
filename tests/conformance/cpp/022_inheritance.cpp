#include <iostream>
#include <memory>
#include <vector>

class Shape {
 public:
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual const char *name() const { return "shape"; }
};

class Rect : public Shape {
 public:
  Rect(double w, double h) : w_(w), h_(h) {}
  double area() const override { return w_ * h_; }
  const char *name() const override { return "rect"; }
 private:
  double w_, h_;
};

class Square final : public Rect {
 public:
  explicit Square(double s) : Rect(s, s) {}
  const char *name() const override { return "square"; }
};

std::vector<std::unique_ptr<Shape>> shapes;
shapes.push_back(std::make_unique<Rect>(2, 3));
shapes.push_back(std::make_unique<Square>(4));
for (const auto &s : shapes) std::cout << s->name() << ": " << s->area() << "\n";
