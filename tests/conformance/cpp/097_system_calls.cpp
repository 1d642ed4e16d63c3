#include <cstdlib>
#include <cstdio>
#include <string>

std::string cmd = "echo streamexec";
int rc = std::system(cmd.c_str());
const char *home = std::getenv("HOME");
if (home != nullptr) {
  std::printf("home is set\n");
}
std::printf("rc=%d\n", rc);
