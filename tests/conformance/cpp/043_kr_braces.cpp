#include <cstdio>

int max3(int a, int b, int c)
{
  int m = a;
  if (b > m)
    m = b;
  if (c > m)
  {
    m = c;
  }
  return m;
}

int best = max3(3, 9, 4);
if (best > 5)
{
  std::printf("big %d\n", best);
}
else
{
  std::printf("small %d\n", best);
}
for (int i = 0; i < 2; ++i)
{
  std::printf("%d\n", i);
}
