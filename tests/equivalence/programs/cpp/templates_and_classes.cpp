#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

template <typename T>
T max_of(const std::vector<T> &v) {
    T best = v.front();
    for (const auto &x : v)
        if (x > best) best = x;
    return best;
}

class Shape {
public:
    virtual ~Shape() = default;
    virtual double area() const = 0;
    virtual std::string name() const = 0;
};

class Square : public Shape {
    double s;
public:
    explicit Square(double s) : s(s) {}
    double area() const override { return s * s; }
    std::string name() const override { return "square"; }
};

class Circle : public Shape {
    double r;
public:
    explicit Circle(double r) : r(r) {}
    double area() const override { return 3.0 * r * r; }
    std::string name() const override { return "circle"; }
};

int main() {
    std::cout << max_of(std::vector<int>{3, 9, 2}) << " " << max_of(std::vector<std::string>{"b", "a"}) << "\n";
    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::make_unique<Square>(2));
    shapes.push_back(std::make_unique<Circle>(1));
    std::map<std::string, double> areas;
    for (const auto &s : shapes) areas[s->name()] = s->area();
    for (const auto &[n, a] : areas) std::cout << n << ": " << a << "\n";
}
