#include <cstdio>
int done = 1;
std::printf("%d\n", done); // no newline at the end