#include <cstdio>

char chars[] = {'{', '}', '(', ')', '[', ']', ';', '\'', '"', '\\', '/', '*'};
const char *str = "/* not a comment */ // nor this { ; }";
char slash = '/';
int x = 10 / 2 /* real comment */ / 5;
wchar_t wc = L'}';
char16_t c16 = u'{';
char32_t c32 = U';';
std::printf("%zu %s %c %d %d %d %d\n", sizeof(chars), str, slash, x, (int)wc, (int)c16, (int)c32);
