// The sandbox's configuration (host -> worker, as JSON in one environment
// variable) and its report (worker -> host, in the ready frame).
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/resource.h>

#include "backends/common/sandbox/sandbox.h"

namespace sx::sandbox {

using nlohmann::json;

json Config::to_json() const {
  return {{"network", network == Network::Host ? "host" : "none"},
          {"allow_write", allow_write},
          {"hide", hide},
          {"scratch_bytes", scratch_bytes},
          {"off", off}};
}

bool Config::from_env(Config *out, std::string *err) {
  *out = Config{};
  const char *v = getenv(kConfigVar);
  if (!v) return true;
  try {
    json j = json::parse(v);
    std::string net = j.value("network", "none");
    if (net != "none" && net != "host") {
      *err = "network must be none or host";
      return false;
    }
    out->network = net == "host" ? Network::Host : Network::None;
    out->allow_write = j.value("allow_write", std::vector<std::string>{});
    out->hide = j.value("hide", std::vector<std::string>{});
    out->scratch_bytes = j.value("scratch_bytes", out->scratch_bytes);
    for (const auto &o : j.value("off", std::vector<std::string>{})) out->off.insert(o);
    for (const auto &d : out->allow_write)
      if (d.empty() || d[0] != '/') {
        *err = "allow_write directories must be absolute: " + d;
        return false;
      }
  } catch (const json::exception &e) {
    *err = std::string("bad ") + kConfigVar + ": " + e.what();
    return false;
  }
  return true;
}

void Report::read_process_facts() {
  std::ifstream in("/proc/self/status");
  std::string line;
  bool eff_zero = false, bnd_zero = false;
  while (std::getline(in, line)) {
    auto field = [&](const char *name) -> const char * {
      size_t n = std::char_traits<char>::length(name);
      return line.compare(0, n, name) == 0 ? line.c_str() + n : nullptr;
    };
    if (const char *v = field("CapEff:")) eff_zero = strtoull(v, nullptr, 16) == 0;
    if (const char *v = field("CapBnd:")) bnd_zero = strtoull(v, nullptr, 16) == 0;
    if (const char *v = field("NoNewPrivs:")) no_new_privs = atoi(v) == 1;
    if (const char *v = field("Seccomp:")) seccomp = atoi(v) == 2;  // 2: filter mode
  }
  caps = eff_zero && bnd_zero;
  errno = 0;
  int prio = getpriority(PRIO_PROCESS, 0);
  nice = errno == 0 && prio >= kUnitNice;
}

namespace {

// Each flag of a Report, by name, in one place.
template <class R, class F>
void each_flag(R &r, F f) {
  f("user_ns", r.user_ns);
  f("pid_ns", r.pid_ns);
  f("mount_ns", r.mount_ns);
  f("net_ns", r.net_ns);
  f("loopback", r.loopback);
  f("read_only", r.read_only);
  f("scratch", r.scratch);
  f("hide", r.hide);
  f("own_proc", r.own_proc);
  f("caps", r.caps);
  f("no_new_privs", r.no_new_privs);
  f("seccomp", r.seccomp);
  f("nice", r.nice);
}

}  // namespace

json Report::to_json() const {
  json j = {{"host_uid", host_uid}, {"notes", notes}};
  each_flag(*this, [&](const char *name, bool on) { j[name] = on; });
  return j;
}

Report Report::from_json(const json &j) {
  Report r;
  each_flag(r, [&](const char *name, bool &on) {
    auto it = j.find(name);
    on = it != j.end() && it->is_boolean() && it->get<bool>();
  });
  if (auto it = j.find("host_uid"); it != j.end() && it->is_string()) r.host_uid = it->get<std::string>();
  if (auto it = j.find("notes"); it != j.end() && it->is_array())
    for (const auto &n : *it)
      if (n.is_string()) r.notes.push_back(n.get<std::string>());
  return r;
}

std::vector<std::string> Report::active() const {
  std::vector<std::string> a;
  each_flag(*this, [&](const char *name, bool on) {
    if (on) a.push_back(name);
  });
  return a;
}

std::vector<std::string> Report::missing(Network asked) const {
  std::vector<std::string> m;
  each_flag(*this, [&](const char *name, bool on) {
    bool network = std::string(name) == "net_ns" || std::string(name) == "loopback";
    if (!on && !(asked == Network::Host && network)) m.push_back(name);
  });
  return m;
}

}  // namespace sx::sandbox
