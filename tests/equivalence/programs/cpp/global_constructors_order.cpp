#include <cstdio>

int init_value(const char *name, int v) {
    std::printf("init %s\n", name);
    return v;
}

int a = init_value("a", 1);
int b = init_value("b", a + 1);

int main() {
    std::printf("main: a=%d b=%d\n", a, b);
}
