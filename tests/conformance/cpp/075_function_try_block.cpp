#include <stdexcept>
#include <cstdio>

struct Resource {
  int id;
  explicit Resource(int i) : id(i) {
    if (i < 0) throw std::invalid_argument("negative id");
  }
};

struct Holder {
  Resource r;
  explicit Holder(int i) try : r(i) {
    std::printf("holder ok\n");
  } catch (const std::exception &e) {
    std::printf("holder failed: %s\n", e.what());
  }
};

int safe_div(int a, int b) try {
  if (b == 0) throw std::runtime_error("div by zero");
  return a / b;
} catch (const std::exception &) {
  return 0;
}

int q = safe_div(7, 0);
Holder h(3);
