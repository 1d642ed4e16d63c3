#include <cstdio>

[[nodiscard]] int compute(int x) { return x * 3; }
[[deprecated("use compute")]] int old_compute(int x) { return x * 2; }
[[maybe_unused]] static int unused_value = 5;

struct [[nodiscard]] Result {
  int code;
};

Result make_result() { return Result{0}; }
int value = compute(4);
if (value > 10) [[likely]] {
  std::printf("large %d\n", value);
}
alignas(16) float buffer[4] = {1, 2, 3, 4};
