#include <cstdio>

int classify(int n) {
  int score = 0;
  switch (n % 4) {
    case 0:
      score += 1;
      [[fallthrough]];
    case 1:
      score += 10;
      break;
    default:
      score = -1;
  }
  return score;
}

for (int i = 0; i < 4; ++i) std::printf("%d ", classify(i));
std::printf("\n");
