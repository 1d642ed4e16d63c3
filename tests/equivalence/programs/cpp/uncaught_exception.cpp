#include <iostream>
#include <stdexcept>

double safe_div(double a, double b) {
    if (b == 0) throw std::invalid_argument("division by zero");
    return a / b;
}

int main() {
    std::cout << safe_div(6, 3) << std::endl;
    std::cout << safe_div(1, 0) << std::endl;
    return 0;
}
