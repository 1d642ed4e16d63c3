#include <iostream>
#include <string>

int main() {
    int n = 0;
    if (!(std::cin >> n)) std::cout << "no input\n";
    std::string line;
    std::cout << "getline: " << (std::getline(std::cin, line) ? "got" : "eof") << "\n";
}
