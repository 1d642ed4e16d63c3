#include <cstdio>

int temperature = 23;
if (temperature > 30)
  std::puts("hot");
else if (temperature > 20)
  std::puts("warm");
if (temperature % 2)
  std::puts("odd");
int after = temperature * 2;
for (int i = 0; i < 3; ++i)
  if (i == 1)
    std::puts("one");
  else
    std::puts("not one");
while (after > 40) after -= 10;
std::printf("%d\n", after);
