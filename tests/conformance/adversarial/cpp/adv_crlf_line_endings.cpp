#include <cstdio>
int adv_crlf = 1;
int adv_crlf_f(int a) {
  return a +
    1;
}
// comment

#define ADV_CRLF_M(x) \
  ((x) * 2)
if (adv_crlf) {
  adv_crlf++;
}
else adv_crlf--;
printf("%d\n", ADV_CRLF_M(adv_crlf_f(adv_crlf)));
