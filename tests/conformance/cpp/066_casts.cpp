#include <cstdint>
#include <cstdio>

struct Base { virtual ~Base() = default; int tag = 1; };
struct Derived : Base { int extra = 2; };

Derived d;
Base *bp = &d;
auto *dp = dynamic_cast<Derived *>(bp);
double ratio = static_cast<double>(7) / 2;
std::uintptr_t addr = reinterpret_cast<std::uintptr_t>(bp);
const int ci = 5;
int *mutable_ci = const_cast<int *>(&ci);
(void)mutable_ci;
std::printf("%d %.1f %d\n", dp->extra, ratio, addr != 0);
