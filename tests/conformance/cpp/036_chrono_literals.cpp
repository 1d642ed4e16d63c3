#include <chrono>
#include <string>
#include <iostream>

using namespace std::chrono_literals;
using namespace std::string_literals;

auto timeout = 250ms;
auto longer = 2s + timeout;
auto label = "elapsed: "s;
std::cout << label << std::chrono::duration_cast<std::chrono::milliseconds>(longer).count() << "ms\n";
