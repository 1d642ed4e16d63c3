#include <cstdio>

struct Config {
  int width = 80;
  int height = 24;
  bool color = false;
  const char *title = "untitled";
};

Config cfg{.width = 120, .color = true, .title = "main"};
Config dflt{};
std::printf("%dx%d %d %s\n", cfg.width, cfg.height, cfg.color, cfg.title);
struct Pair { int a; int b; } pr = {.a = 1, .b = 2};
