// equivalence: known difference: at_quick_exit handlers print into stdio buffers that quick_exit() does not flush; a native run into a pipe loses them, streamexec line-buffers stdout and shows them.
#include <cstdio>
#include <cstdlib>

void on_quick() { std::puts("at_quick_exit handler"); }
void on_exit() { std::puts("atexit handler (not run by quick_exit)"); }

int main() {
    std::at_quick_exit(on_quick);
    std::atexit(on_exit);
    std::puts("leaving quickly");
    std::fflush(stdout);
    std::quick_exit(6);
}
