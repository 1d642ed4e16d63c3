/* a BOM first */
#include <cstdio>
int main() { std::printf("bom ok\n"); }
