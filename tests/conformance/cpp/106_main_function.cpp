#include <cstdio>
#include <vector>

static int helper(int n) { return n * n; }

int main() {
  std::vector<int> squares;
  for (int i = 1; i <= 5; ++i) squares.push_back(helper(i));
  for (int s : squares) std::printf("%d ", s);
  std::printf("\n");
  return 0;
}

int run_result = helper(12);
