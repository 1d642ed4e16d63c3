#include "tools/streamexec/gate.h"

#include <cstring>

#include <fmt/format.h>

namespace sx::cli {
namespace {

// Calls that delete files, start processes or open network connections,
// recognised from the unit's IR `uses` (names read and dotted call targets).
// A use matches an entry if it equals it or starts with it followed by '.'.
const char *const kUnsafeUses[] = {
    // python
    "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.system", "os.popen", "os.kill", "os.fork",
    "os.execv", "os.execvp", "os.execl", "os.spawnl", "os.truncate", "shutil.rmtree", "shutil.move",
    "subprocess", "socket", "urllib.request", "http.client", "requests", "ftplib", "smtplib", "ctypes",
    // javascript
    "fs.unlinkSync", "fs.unlink", "fs.rmSync", "fs.rm", "fs.rmdirSync", "fs.rmdir", "fs.truncateSync",
    "child_process", "require:child_process", "require:net", "require:http", "require:https",
    "require:dgram", "fetch", "net", "http.request", "https.request", "process.kill",
    // c++
    "std::remove", "std::filesystem::remove", "std::filesystem::remove_all", "system", "popen", "unlink",
    "fork", "execv", "execvp", "socket", "remove",
};

// Bare names imported with `from os import remove` etc.
const char *const kUnsafeBare[] = {"rmtree", "unlink", "rmdir", "unlinkSync", "rmSync", "execSync", "spawnSync"};

}  // namespace

bool unsafe_use(const std::string &u) {
  for (const char *p : kUnsafeUses) {
    std::size_t n = std::strlen(p);
    if (u.compare(0, n, p) == 0 && (u.size() == n || u[n] == '.' || u[n] == ':')) return true;
  }
  for (const char *b : kUnsafeBare)
    if (u == b) return true;
  return false;
}

sx_gate_decision gate_fn(void *user, const sx_unit_info *u, const char **reason) {
  auto *g = static_cast<GateRules *>(user);
  std::string code(u->code, u->code_len);
  auto say = [&](std::string why) {
    g->reason = std::move(why);
    *reason = g->reason.c_str();
  };
  for (auto &[re, src] : g->skip) {
    if (std::regex_search(code, re)) {
      say(fmt::format("--skip '{}' matches", src));
      return SX_GATE_SKIP;
    }
  }
  for (auto &[re, src] : g->hold) {
    if (std::regex_search(code, re)) {
      say(fmt::format("--hold '{}' matches; runs when the answer is complete", src));
      return SX_GATE_HOLD;
    }
  }
  if (g->hold_unsafe) {
    for (std::size_t i = 0; i < u->n_uses; ++i) {
      if (unsafe_use(u->uses[i])) {
        say(fmt::format("--hold-unsafe: uses {}; runs when the answer is complete", u->uses[i]));
        return SX_GATE_HOLD;
      }
    }
  }
  return SX_GATE_RUN;
}

}  // namespace sx::cli
