#include <cstdio>

enum class Color : unsigned char { Red, Green = 4, Blue };
enum Direction { North, East, South, West };

const char *name(Color c) {
  switch (c) {
    case Color::Red: return "red";
    case Color::Green: return "green";
    case Color::Blue: return "blue";
  }
  return "?";
}

Color c = Color::Blue;
Direction d = West;
std::printf("%s %d\n", name(c), static_cast<int>(d));
switch (d) {
  case North:
  case South:
    std::puts("vertical");
    break;
  default:
    std::puts("horizontal");
}
