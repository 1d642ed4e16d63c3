#include <cstdio>
#include <cstdlib>

int main() {
    std::puts("about to abort");
    std::fflush(stdout);
    std::abort();
}
