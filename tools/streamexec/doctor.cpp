#include "tools/streamexec/doctor.h"

#include <cstdio>
#include <map>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sx::cli {
namespace {

using nlohmann::json;

// What each protection stops (the README's threat model, in one line each).
const std::pair<const char *, const char *> kWhat[] = {
    {"user_ns", "units are uid 1000 of their own user namespace: no privilege on the host"},
    {"pid_ns", "own PID namespace: no host process can be seen, signalled or traced"},
    {"mount_ns", "own mount namespace: the mounts below are the worker's alone"},
    {"read_only", "the host's file system is read-only (nosuid)"},
    {"scratch", "a private tmpfs /tmp (cwd, HOME, TMPDIR), gone with the worker"},
    {"hide", "/run (daemons' sockets) and the host user's home directory are hidden"},
    {"own_proc", "/proc lists only the worker's processes"},
    {"net_ns", "own network namespace: no network, not the host's loopback services"},
    {"loopback", "127.0.0.1 inside the sandbox works"},
    {"caps", "no capabilities (bounding set empty)"},
    {"no_new_privs", "no setuid or file-capability program gains privileges"},
    {"seccomp", "ptrace, process_vm_*, mount, bpf, kexec, modules, perf, new namespaces… fail"},
    {"nice", "units run at nice 10: the host and the supervisors get the CPU first when they loop"},
};

const char *kLangs[] = {"python", "javascript", "cpp"};

std::string first_line_of(const std::string &path) {
  FILE *f = fopen(path.c_str(), "r");
  if (!f) return "?";
  char buf[256] = {0};
  if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
  fclose(f);
  std::string s = buf;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

int doctor(bool as_json) {
  sx_options opt;
  sx_options_init(&opt);
  opt.mode = SX_MODE_MARKDOWN;
  opt.on_error = SX_POLICY_CONTINUE;
  opt.prestart = (1u << SX_LANG_PYTHON) | (1u << SX_LANG_JAVASCRIPT) | (1u << SX_LANG_CPP);
  sx_session *s = nullptr;
  if (int rc = sx_session_new(&opt, &s); rc != SX_OK) {
    fmt::print(stderr, "streamexec doctor: cannot create a session: {}: {}\n", sx_strerror(rc), sx_last_error());
    return 2;
  }
  const std::string answer = "```python\nx = 1\n```\n```javascript\nlet x = 1;\n```\n```cpp\nint x = 1;\n```\n";
  sx_feed(s, answer.data(), answer.size());
  sx_finish(s);
  json sandbox = json::object();
  std::map<std::string, std::string> unit_error;  // language -> why its unit did not run
  sx_event *ev = nullptr;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    json j = json::parse(std::string(ev->json, ev->json_len));
    if (ev->kind == SX_EVENT_SESSION_DONE) sandbox = j.value("sandbox", json::object());
    if (ev->kind == SX_EVENT_UNIT_DONE && ev->status != SX_STATUS_OK)
      unit_error[j.value("lang", "?")] = ev->text ? ev->text : "";
    sx_event_free(ev);
  }
  sx_session_free(s);

  utsname u{};
  uname(&u);
  json machine = {{"kernel", u.release},
                  {"uid", getuid()},
                  {"max_user_namespaces", first_line_of("/proc/sys/user/max_user_namespaces")},
                  {"seccomp_actions", first_line_of("/proc/sys/kernel/seccomp/actions_avail")}};
  int missing = 0, broken = 0;
  for (const char *l : kLangs) {
    if (!sandbox.contains(l)) {
      ++broken;
      continue;
    }
    missing += static_cast<int>(sandbox[l]["missing"].size());
  }
  broken += static_cast<int>(unit_error.size());
  int rc = broken ? 2 : missing ? 1 : 0;
  if (as_json) {
    json out = {{"machine", machine}, {"sandbox", sandbox}, {"unit_errors", unit_error}, {"ok", rc == 0}};
    fmt::print("{}\n", out.dump());
    return rc;
  }

  fmt::print("streamexec doctor: the workers' sandbox on this machine\n");
  fmt::print("kernel {}, running as uid {}, user namespaces allowed: {}, seccomp actions: {}\n\n", u.release,
             getuid(), machine["max_user_namespaces"].get<std::string>(), machine["seccomp_actions"].get<std::string>());
  fmt::print("{:<13}{:<9}{:<11}{:<9}{}\n", "protection", "python", "javascript", "cpp", "what it stops");
  for (const auto &[protection, what] : kWhat) {
    const char *name = protection;  // (a structured binding in a lambda: clang-tidy 14 cannot parse it)
    fmt::print("{:<13}", name);
    for (const char *l : kLangs) {
      std::string state = "-";
      if (sandbox.contains(l)) {
        const json &sb = sandbox[l];
        auto has = [&](const char *key) {
          for (const auto &x : sb[key])
            if (x == name) return true;
          return false;
        };
        state = has("active") ? "active" : has("missing") ? "MISSING" : "not used";
      }
      fmt::print("{:<{}}", state, std::string(l) == "javascript" ? 11 : 9);
    }
    fmt::print("{}\n", what);
  }
  fmt::print("\n");
  for (const char *l : kLangs) {
    if (!sandbox.contains(l)) {
      fmt::print("{}: the worker did not start{}\n", l,
                 unit_error.count(l) ? ": " + unit_error[l] : std::string());
      continue;
    }
    fmt::print("{}: units run as uid {} on the host", l, sandbox[l].value("host_uid", std::string("?")));
    for (const auto &n : sandbox[l]["notes"]) fmt::print("\n  note: {}", n.get<std::string>());
    if (unit_error.count(l)) fmt::print("\n  a trivial unit failed: {}", unit_error[l]);
    fmt::print("\n");
  }
  fmt::print("\n{}\n", rc == 0   ? "every protection is active"
                       : rc == 1 ? "some protections are missing (above): run streamexec inside a container or VM "
                                   "for untrusted code, or allow what is missing (README \"Security\")"
                                 : "a worker did not run (above)");
  return rc;
}

}  // namespace sx::cli
