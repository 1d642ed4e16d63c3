#include <cstdio>

typedef enum { LOW, MEDIUM, HIGH } Level;
typedef enum Status { OK = 0, FAIL = 1 } Status_t;
enum struct Mode : int { Read = 1, Write = 2 };

Level lv = HIGH;
Status_t st = FAIL;
Mode md = Mode::Write;
std::printf("%d %d %d\n", lv, st, static_cast<int>(md));
