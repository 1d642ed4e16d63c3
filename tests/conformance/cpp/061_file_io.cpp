#include <fstream>
#include <string>
#include <cstdio>
#include <cstdlib>

const char *path = "/tmp/sx_corpus_061.txt";
{
  std::ofstream out(path);
  out << "alpha\nbeta\ngamma\n";
}
std::ifstream in(path);
std::string line;
int lines = 0;
while (std::getline(in, line)) ++lines;
in.close();
std::remove(path);
FILE *f = std::fopen("/tmp/sx_corpus_061b.txt", "w");
if (f) {
  std::fputs("x", f);
  std::fclose(f);
}
std::printf("%d lines\n", lines);
