// Test helpers: drive a session through the public C API and collect its
// events as parsed JSON.
#ifndef STREAMEXEC_TESTS_HARNESS_H
#define STREAMEXEC_TESTS_HARNESS_H

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <random>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sxt {

using nlohmann::json;

inline std::vector<std::string> split_random(const std::string &s, unsigned seed, std::size_t max_len = 7) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(1, max_len);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t k = std::min(len(rng), s.size() - i);
    out.push_back(s.substr(i, k));
    i += k;
  }
  return out;
}

inline std::vector<std::string> split_bytes(const std::string &s) {
  std::vector<std::string> out;
  for (char c : s) out.emplace_back(1, c);
  return out;
}

struct Trace {
  std::vector<json> events;
  int finish_rc = 0;
  int first_stop_at = -1;  // index of the chunk whose sx_feed returned SX_STOP

  std::vector<json> of(const std::string &kind) const {
    std::vector<json> v;
    for (const auto &e : events)
      if (e["event"] == kind) v.push_back(e);
    return v;
  }
  // unit_done events keyed in order
  std::vector<json> done() const { return of("unit_done"); }
  // The unit_done event of one unit (null if none) and its status ("<none>").
  json done_of(long unit) const {
    for (const auto &e : events)
      if (e["event"] == "unit_done" && e["unit_id"] == unit) return e;
    return json();
  }
  std::string status_of(long unit) const {
    json d = done_of(unit);
    return d.is_null() ? "<none>" : d["status"].get<std::string>();
  }
  std::string stdout_of(long unit) const {
    std::string s;
    for (const auto &e : events)
      if (e["event"] == "output" && e["unit_id"] == unit && e["stream"] == "stdout") s += e["text"].get<std::string>();
    return s;
  }
  std::string all_stdout() const {
    std::string s;
    for (const auto &e : events)
      if (e["event"] == "output" && e["stream"] == "stdout") s += e["text"].get<std::string>();
    return s;
  }
  // Units' code in order.
  std::vector<std::string> units() const {
    std::vector<std::string> v;
    for (const auto &e : of("unit_closed")) v.push_back(e["unit"]["code"]);
    return v;
  }
};

inline sx_options default_options() {
  sx_options o;
  sx_options_init(&o);
  return o;
}

inline sx_options raw_python() {
  sx_options o = default_options();
  o.mode = SX_MODE_RAW;
  o.lang = SX_LANG_PYTHON;
  return o;
}

// Feeds `chunks` one by one; `between(i)` runs after chunk i (may wait for events).
inline Trace run_chunks(sx_options opt, const std::vector<std::string> &chunks) {
  Trace r;
  opt.queue_events = 1;
  sx_session *s = nullptr;
  if (sx_session_new(&opt, &s) != SX_OK) throw std::runtime_error("sx_session_new failed");
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    int rc = sx_feed(s, chunks[i].data(), chunks[i].size());
    if (rc == SX_STOP && r.first_stop_at < 0) r.first_stop_at = static_cast<int>(i);
  }
  r.finish_rc = sx_finish(s);
  sx_event *ev;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    r.events.push_back(json::parse(std::string(ev->json, ev->json_len)));
    sx_event_free(ev);
  }
  sx_session_free(s);
  return r;
}

inline Trace run_text(sx_options opt, const std::string &text) { return run_chunks(opt, {text}); }

// --- a worker's identity ----------------------------------------------------
// Every worker is PID 2 of its own PID namespace and sees only its own
// /proc, so a unit cannot say its pid as the host sees it; it prints the
// inode of its PID namespace instead (the same number the host sees), and
// the host finds the namespace's processes by it. (The kernel reuses the
// inode of a namespace that is gone: to tell a restarted worker from the
// old one, k*StartTime is the interpreter's start, in clock ticks since boot.)
inline const char *kPyStartTime = "open('/proc/self/stat').read().rsplit(')', 1)[1].split()[19]";
inline const char *kJsStartTime = "require('fs').readFileSync('/proc/self/stat', 'utf8').split(')').pop().trim().split(' ')[19]";
inline const char *kPyWorkerId = "__import__('os').stat('/proc/self/ns/pid').st_ino";
inline const char *kJsWorkerId = "require('fs').statSync('/proc/self/ns/pid').ino";
inline const char *kCppWorkerId = "[] { struct stat s; stat(\"/proc/self/ns/pid\", &s); return (unsigned long)s.st_ino; }()";

// The host pids of the processes in the PID namespace with inode `ns`
// (zombies too unless `live_only`).
inline std::vector<long> pids_in_namespace(unsigned long ns, bool live_only = false) {
  std::vector<long> pids;
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st;
    if (stat((e.path() / "ns/pid").c_str(), &st) != 0 || st.st_ino != ns) continue;
    if (live_only) {
      std::ifstream in(e.path() / "stat");
      std::string s((std::istreambuf_iterator<char>(in)), {});
      auto p = s.rfind(')');
      if (p != std::string::npos && p + 2 < s.size() && s[p + 2] == 'Z') continue;
    }
    pids.push_back(std::stol(name));
  }
  return pids;
}

// Waits (up to 5 s) until no live process is left in the PID namespace
// `ns` (a zombie left to the host's init, when the host died, is dead).
inline bool namespace_empties(unsigned long ns) {
  for (int i = 0; i < 500; ++i) {
    if (pids_in_namespace(ns, true).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace sxt

#endif
