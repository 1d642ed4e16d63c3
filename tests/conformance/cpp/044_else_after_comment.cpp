#include <cstdio>

int score = 72;
if (score >= 90) {
  std::puts("A");
}
// a comment between the branches
else if (score >= 70) {
  std::puts("C or better");
}
/* another one { } */
else {
  std::puts("below C");
}

try {
  throw 42;
}
// catch follows after a comment
catch (int e) {
  std::printf("caught %d\n", e);
}
std::puts("end");
