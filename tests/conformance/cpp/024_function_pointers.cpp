#include <cstdio>

typedef int (*binop_t)(int, int);
using unop_t = int (*)(int);

int add(int a, int b) { return a + b; }
int mul(int a, int b) { return a * b; }
int neg(int a) { return -a; }

binop_t ops[] = {add, mul};
unop_t u = neg;
int apply(binop_t f, int a, int b) { return f(a, b); }
for (binop_t f : ops) std::printf("%d\n", apply(f, 6, 7));
std::printf("%d\n", u(5));
void (*callback)(const char *) = [](const char *s) { std::puts(s); };
callback("done");
