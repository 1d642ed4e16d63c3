#include <cstdio>
#include <cstdlib>

void check(int x) {
    if (x > 2) {
        std::printf("value %d too large\n", x);
        std::exit(4);
    }
    std::printf("value %d ok\n", x);
}

int main() {
    for (int i = 0; i < 5; ++i) check(i);
    std::printf("not reached\n");
}
