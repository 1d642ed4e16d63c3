#include <cstdlib>
#include <iostream>
#include <string>

struct Logger {
    std::string name;
    explicit Logger(std::string n) : name(std::move(n)) { std::cout << "construct " << name << "\n"; }
    ~Logger() { std::cout << "destroy " << name << "\n"; }
};

Logger first("first");

void handler() { std::cout << "atexit handler\n"; }

Logger second("second");

int main() {
    std::atexit(handler);
    static Logger local("function-static");
    std::cout << "main body\n";
    return 0;
}
