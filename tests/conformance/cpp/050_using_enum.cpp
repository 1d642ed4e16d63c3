#include <cstdio>

enum class Suit { Clubs, Diamonds, Hearts, Spades };

const char *suit_name(Suit s) {
  switch (s) {
    using enum Suit;
    case Clubs: return "clubs";
    case Diamonds: return "diamonds";
    case Hearts: return "hearts";
    case Spades: return "spades";
  }
  return "";
}

constinit int global_counter = 0;
consteval int cube(int n) { return n * n * n; }
constexpr int c27 = cube(3);
std::printf("%s %d %d\n", suit_name(Suit::Hearts), c27, global_counter);
