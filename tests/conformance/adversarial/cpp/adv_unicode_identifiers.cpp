// Identifiers beyond ASCII (C++23 / UAX #31, accepted by clang in C++20 mode).
#include <cstdio>
double π = 3.14159;
int число = 42;
const char *変数 = "値 { ( [";
double größe(double ä, double ö = π) { return ä * ö; }
struct Ωmega { int µ() const { return 7; } };
const char *emoji = "😀 {not code} 😀";
printf("%f %d %s %s\n", größe(число), Ωmega{}.µ(), 変数, emoji);
