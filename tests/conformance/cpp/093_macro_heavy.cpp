#include <cstdio>

#define STR_(x) #x
#define STR(x) STR_(x)
#define CONCAT(a, b) a##b
#define DECLARE_GETTER(type, name)   \
  type get_##name() {                \
    return name##_value;             \
  }
#define REPEAT3(stmt) { stmt; stmt; stmt; }

int width_value = 640;
int height_value = 480;
DECLARE_GETTER(int, width)
DECLARE_GETTER(int, height)
int CONCAT(total_, px) = get_width() * get_height();
int calls = 0;
REPEAT3(++calls)
std::printf("%s %d %d\n", STR(__LINE__), total_px, calls);
