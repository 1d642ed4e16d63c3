#include <cstdio>

int main(int argc, char **argv) {
    std::printf("argc=%d\n", argc);
    std::printf("argv[argc] is %s\n", argv[argc] == nullptr ? "null" : "set");
    return argc == 1 ? 0 : 1;
}
