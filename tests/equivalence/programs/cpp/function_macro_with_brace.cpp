#include <cstdio>
#define DEF(n) int n[] = {1, 2}
#define SHOW(n) std::printf(#n " = {%d, %d}\n", n[0], n[1])

DEF(a);
DEF(b);

int main() {
    SHOW(a);
    b[1] = 5;
    SHOW(b);
}
