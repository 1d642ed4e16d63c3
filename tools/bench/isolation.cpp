// streamexec-bench --isolation: what the sandbox costs (issue 15).
//
// Every number is a ratio against a baseline measured in the same run, on
// the same machine, interleaved with it (machines drift): the sandbox on
// (the default) vs all its protections off (sx_options.sandbox_off).
//   cold start   sx_session_new -> the result of a first trivial unit: the
//                worker's spawn, namespaces, mounts, filter and the backend's
//                start-up
//   dispatch     a tiny unit fed to a warm worker -> its result (host and
//                workers pinned to one CPU). "On" also appends each unit to
//                the program's file in the scratch directory (answer.py,
//                answer.js: native equivalence; there is no scratch directory
//                with everything off): one fstat and one write per unit,
//                most of JavaScript's difference (about 5 µs).
//   long line    one unit of a single 10/20/40 MB line (Python): time and the
//                host's peak RSS per MB, which stay flat when both are linear
#include "tools/bench/isolation.h"

#include <chrono>
#include <sched.h>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/bench/collect.h"

namespace sx::bench {
namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

const char *const kAllOff =
    "env,fds,supervisor,frame_checks,user_ns,pid_ns,mount_ns,net_ns,read_only,hide,own_proc,caps,no_new_privs,seccomp";

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// Session -> the first unit's result, in ms; < 0 on failure.
double cold_start(sx_lang lang, const char *off) {
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  o.lang = lang;
  o.sandbox_off = off;
  const char *unit = lang == SX_LANG_PYTHON ? "x = 1\n" : "var x = 1;\n";
  if (lang == SX_LANG_CPP) unit = "int x = 1;\n";
  auto t0 = clock_type::now();
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) return -1;
  sx_feed(s, unit, std::strlen(unit));
  double t = -1;
  for (;;) {
    sx_event *ev = nullptr;
    if (sx_next_event(s, 60000, &ev) != SX_OK) break;
    bool done = ev->kind == SX_EVENT_UNIT_DONE;
    bool ok = ev->status == SX_STATUS_OK;
    sx_event_free(ev);
    if (done) {
      if (ok) t = ms_since(t0);
      break;
    }
  }
  sx_finish(s);
  sx_session_free(s);
  return t;
}

long peak_rss_kb() {
  std::ifstream st("/proc/self/status");
  for (std::string line; std::getline(st, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// A Python unit of one line of `mb` MB, streamed in 64 KiB pieces: ms and
// the host's peak RSS growth in MB; false on failure.
bool long_line(int mb, double *ms, double *rss_mb) {
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets VmHWM
  }
  long before = peak_rss_kb();
  std::string code = "s = \"" + std::string(static_cast<std::size_t>(mb) << 20, 'a') + "\"\nlen(s)\n";
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  o.lang = SX_LANG_PYTHON;
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) return false;
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < code.size(); i += 65536)
    sx_feed(s, code.data() + i, std::min<std::size_t>(65536, code.size() - i));
  code.clear();
  code.shrink_to_fit();
  sx_finish(s);
  *ms = ms_since(t0);
  bool ok = true;
  sx_event *ev = nullptr;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    if (ev->kind == SX_EVENT_UNIT_DONE && ev->status != SX_STATUS_OK) ok = false;
    sx_event_free(ev);
  }
  sx_session_free(s);
  *rss_mb = static_cast<double>(peak_rss_kb() - before) / 1024;
  return ok;
}

double median(std::vector<double> v) { return quantile(std::move(v), 0.5); }

}  // namespace

bool dispatch_samples(sx_lang lang, int n, const char *sandbox_off, std::vector<double> *roundtrip_ms,
                      std::vector<double> *minus_exec_ms) {
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_RAW;
  o.lang = lang;
  o.sandbox_off = sandbox_off;
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) return false;
  const char *unit = "x = 1;\n";
  if (lang == SX_LANG_PYTHON) unit = "x = 1\n";
  if (lang != SX_LANG_PYTHON) {
    const char *decl = lang == SX_LANG_JAVASCRIPT ? "var x = 0;\n" : "int x = 0;\n";
    sx_feed(s, decl, std::strlen(decl));
  }
  bool ok = true;
  double closed = 0;
  for (int i = 0; i < n + 20 && ok; ++i) {
    sx_feed(s, unit, std::strlen(unit));
    for (;;) {
      sx_event *ev = nullptr;
      if (sx_next_event(s, 10000, &ev) != SX_OK) {
        ok = false;
        break;
      }
      auto j = json::parse(std::string(ev->json, ev->json_len));
      sx_event_free(ev);
      if (j["event"] == "unit_closed") closed = j["t_ms"];
      if (j["event"] != "unit_done") continue;
      if (j["status"] != "ok") {
        fmt::print(stderr, "unit failed: {}\n", j.dump());
        ok = false;
      } else if (i >= 20) {  // the first units warm caches
        double rt = j["t_finished_ms"].get<double>() - closed;
        roundtrip_ms->push_back(rt);
        minus_exec_ms->push_back(rt - j["exec_ms"].get<double>());
      }
      break;
    }
  }
  sx_finish(s);
  sx_session_free(s);
  return ok;
}

int isolation_bench(int cold_runs, int dispatch_n, const std::string &json_out) {
  json out = json::object();
  fmt::print("the sandbox's cost: every protection on vs all off (sandbox_off), interleaved, same run\n\n");
  fmt::print("{:<11} {:>14} {:>14} {:>7}   {:>15} {:>15} {:>7}\n", "language", "cold on (ms)", "cold off (ms)",
             "ratio", "unit on (µs)", "unit off (µs)", "ratio");
  for (sx_lang lang : {SX_LANG_PYTHON, SX_LANG_JAVASCRIPT, SX_LANG_CPP}) {
    std::vector<double> cold_on, cold_off, rt_on, rt_off, ex_on, ex_off;
    for (int i = 0; i < cold_runs; ++i) {  // interleaved
      double a = cold_start(lang, nullptr), b = cold_start(lang, kAllOff);
      if (a < 0 || b < 0) {
        fmt::print(stderr, "{}: a cold start failed\n", sx_lang_name(lang));
        return 1;
      }
      cold_on.push_back(a);
      cold_off.push_back(b);
    }
    // Dispatch: blocks of samples, alternating, so that drift hits both, on
    // one CPU: unpinned, a session's round trips are either ~150 or ~250 µs
    // on this machine, as its threads and its worker happen to share a core
    // or not, which would decide the ratio. Threads and workers inherit it.
    cpu_set_t saved, one;
    sched_getaffinity(0, sizeof saved, &saved);
    CPU_ZERO(&one);
    for (int c = CPU_SETSIZE - 1; c >= 0; --c)
      if (CPU_ISSET(c, &saved)) {
        CPU_SET(c, &one);
        break;
      }
    sched_setaffinity(0, sizeof one, &one);
    int blocks = 16;
    for (int b = 0; b < blocks; ++b) {
      if (!dispatch_samples(lang, dispatch_n / blocks, nullptr, &rt_on, &ex_on) ||
          !dispatch_samples(lang, dispatch_n / blocks, kAllOff, &rt_off, &ex_off))
        return 1;
    }
    sched_setaffinity(0, sizeof saved, &saved);
    double c_on = median(cold_on), c_off = median(cold_off), d_on = median(rt_on), d_off = median(rt_off);
    fmt::print("{:<11} {:>14.1f} {:>14.1f} {:>7.3f}   {:>15.1f} {:>15.1f} {:>7.3f}\n", sx_lang_name(lang), c_on, c_off,
               c_on / c_off, d_on * 1000, d_off * 1000, d_on / d_off);
    out[sx_lang_name(lang)] = {{"cold_on_ms", cold_on},       {"cold_off_ms", cold_off},
                               {"cold_ratio", c_on / c_off},  {"unit_on_median_ms", d_on},
                               {"unit_off_median_ms", d_off}, {"unit_ratio", d_on / d_off},
                               {"unit_samples", rt_on.size()}};
  }
  fmt::print("(cold: median of {} starts each; unit: median of {} round trips each, unit closed -> result, on one CPU)\n\n",
             cold_runs, dispatch_n);

  fmt::print("{:<10} {:>10} {:>10} {:>14} {:>14}\n", "long line", "time (ms)", "ms per MB", "host peak (MB)",
             "peak per MB");
  json lines = json::array();
  for (int mb : {10, 20, 40}) {
    double ms = 0, rss = 0;
    if (!long_line(mb, &ms, &rss)) {
      fmt::print(stderr, "the {} MB unit failed\n", mb);
      return 1;
    }
    fmt::print("{:<10} {:>10.0f} {:>10.1f} {:>14.0f} {:>14.2f}\n", fmt::format("{} MB", mb), ms, ms / mb, rss,
               rss / mb);
    lines.push_back({{"mb", mb}, {"ms", ms}, {"host_peak_mb", rss}});
  }
  out["long_line"] = lines;
  if (!json_out.empty()) std::ofstream(json_out) << out.dump(2) << "\n";
  return 0;
}

}  // namespace sx::bench
