#include <cstring>

extern "C" {
int c_add(int a, int b) { return a + b; }
double c_scale(double v) { return v * 2; }
}

extern "C" int c_sub(int a, int b) { return a - b; }
extern "C" size_t c_len(const char *s);
extern "C" size_t c_len(const char *s) { return std::strlen(s); }

int total = c_add(2, 3) + c_sub(10, 4);
size_t n = c_len("hello");
