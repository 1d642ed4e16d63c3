#include <cstdint>
#include <cstdio>

long long big = 1'000'000'000;
std::uint32_t mask = 0xFF'FF'00'00u;
double avogadro = 6.022'140'76e23;
int bin = 0b1010'1010;
char quote = '\'';
char brace = '}';
char semi = ';';
std::printf("%lld %x %g %d %c%c%c\n", big, mask, avogadro, bin, quote, brace, semi);
