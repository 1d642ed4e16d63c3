// Brackets, quotes and keywords hidden in strings, comments and literals: ( [ { " '
#include <cstdio>
#include <string>
const char *adv_s1 = "((([";  // ]]]))) } else {
const char *adv_s2 = ")]}";   /* } int f( { */
std::string adv_raw = R"xy(raw ) " ]} )" still raw {{ )xy";
std::string adv_raw2 = R"(
}
int not_code() {
)";
char adv_c1 = '{', adv_c2 = '}', adv_c3 = '\'', adv_c4 = '"';
int adv_sep = 1'000'000 + 0x7'f + 0b1'0;
/* a block comment
   } ) ] spanning lines
*/
int adv_f(int x) { if (x) { return '}'; } else { return ']'; } }
#define ADV_OPEN {
#define ADV_TEXT "}" \
  "continued"
struct AdvS { int a[2] = {1, '{'}; const char *t = ADV_TEXT; };
printf("%s %s %zu %zu %d %d %d %s\n", adv_s1, adv_s2, adv_raw.size(), adv_raw2.size(), adv_c1 + adv_c2 + adv_c3 + adv_c4, adv_sep, adv_f(1), AdvS{}.t);
