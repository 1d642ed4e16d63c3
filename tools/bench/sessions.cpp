// streamexec-bench --sessions and --first-result (sessions.h).
#include "tools/bench/sessions.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bench/collect.h"

namespace sx::bench {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The answers of `dir` that have a fence of `lang` and none of another.
std::vector<std::string> answers_of(const std::string &dir, const std::string &lang) {
  std::vector<std::string> files;
  for (auto &e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".md") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (auto &f : files) {
    std::string text = read_file(f);
    std::istringstream in(text);
    std::string line;
    bool mine = false, other = false;
    for (bool inside = false; std::getline(in, line);) {
      if (line.rfind("```", 0) != 0) continue;
      if (!inside && line.size() > 3) (line.substr(3) == lang ? mine : other) = true;
      inside = !inside;
    }
    if (mine && !other) out.push_back(text);
  }
  return out;
}

// Memory of one process in KiB, 0 if gone: its RSS (/proc/PID/status
// VmRSS), or its PSS (smaps_rollup: pages shared with n processes count 1/n
// — a C++ worker's program process, forked ahead, shares nearly all of its
// interpreter's pages).
long rss_kib(pid_t pid, bool pss = false) {
  std::ifstream in(fmt::format("/proc/{}/{}", pid, pss ? "smaps_rollup" : "status"));
  const char *key = pss ? "Pss:" : "VmRSS:";
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + std::strlen(key), nullptr, 10);
  return 0;
}

// RSS (or PSS) of every descendant of this process (the workers, their relays
// and sandbox inits), in KiB.
long descendants_rss_kib(bool pss = false) {
  std::map<pid_t, pid_t> parent;
  DIR *d = opendir("/proc");
  if (!d) return 0;
  while (dirent *e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
    if (pid <= 0) continue;
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string stat;
    std::getline(in, stat);
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    parent[pid] = ppid;
  }
  closedir(d);
  long total = 0;
  pid_t self = getpid();
  for (auto &[pid, pp] : parent) {
    for (pid_t p = pp; p > 1; p = parent.count(p) ? parent[p] : 0) {
      if (p == self) {
        total += rss_kib(pid, pss);
        break;
      }
    }
  }
  return total;
}

struct UnitTimes {
  double closed = -1, started = -1, done = -1;
  double exec_ms = -1;  // the worker's: started + exec_ms is when it ended there
};

// One session's events: per unit, when it closed, started and was done.
struct Recorder {
  std::mutex mu;
  std::map<std::int64_t, UnitTimes> units;
  static void on_event(void *user, const sx_event *ev) {
    auto *r = static_cast<Recorder *>(user);
    if (ev->unit_id < 0) return;
    std::lock_guard<std::mutex> lk(r->mu);
    UnitTimes &u = r->units[ev->unit_id];
    if (ev->kind == SX_EVENT_UNIT_CLOSED) u.closed = ev->t_ms;
    if (ev->kind == SX_EVENT_UNIT_STARTED) u.started = ev->t_ms;
    if (ev->kind == SX_EVENT_UNIT_DONE) {
      u.done = ev->t_ms;
      // When it started in the worker (the unit_started event comes a trip later).
      auto j = nlohmann::json::parse(ev->json, ev->json + ev->json_len, nullptr, false);
      if (j.is_object() && j.value("t_started_ms", 0.0) > 0) u.started = j["t_started_ms"].get<double>();
      if (j.is_object() && j.contains("exec_ms") && j["exec_ms"].is_number()) u.exec_ms = j["exec_ms"].get<double>();
    }
  }
};

// The options of a benchmark session: its language's worker started at
// once, events to `cb`, workers from `pool` (may be NULL).
sx_options bench_options(sx_lang lang, sx_event_fn cb, void *user, sx_pool *pool) {
  sx_options opt;
  sx_options_init(&opt);
  opt.prestart = 1u << lang;
  opt.queue_events = 0;
  opt.on_event = cb;
  opt.user = user;
  opt.pool = pool;
  return opt;
}

sx_lang lang_of(const std::string &name) {
  sx_lang l = SX_LANG_PYTHON;
  sx_lang_from_name(name.c_str(), &l);
  return l;
}

struct LevelResult {
  int sessions = 0;
  std::size_t answers = 0, units = 0;
  double seconds = 0;
  std::vector<double> latency, dispatch, dispatch_first;  // dispatch_first: each session's first unit
  double cpu_seconds = 0;
  std::uint64_t warm = 0, cold = 0;  // with a pool: sessions that took a ready worker / started their own
};

double process_cpu_seconds() {
  // This process and its waited-for children are not enough: the workers are
  // reaped by their relays. /proc/stat's total busy time is machine-wide.
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, sys = 0;
  in >> cpu >> user >> nice >> sys;
  return static_cast<double>(user + nice + sys) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

LevelResult run_level(const SessionsOptions &o, const std::vector<std::string> &answers, int n) {
  sx_lang lang = lang_of(o.lang);
  sx_pool *pool = nullptr;
  if (o.pool) {
    sx_pool_options po;
    sx_pool_options_init(&po);
    po.ready[0] = po.ready[1] = po.ready[2] = 0;
    po.ready[lang] = static_cast<unsigned>(n);
    sx_pool_new(&po, &pool);
    if (sx_pool_wait_ready(pool, 120000) != SX_OK) std::fprintf(stderr, "warning: the pool did not fill in 120 s\n");
  }
  LevelResult res;
  res.sessions = n;
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  auto t0 = Clock::now();
  double cpu0 = process_cpu_seconds();
  auto deadline = t0 + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      while (Clock::now() < deadline) {
        const std::string &text = answers[next.fetch_add(1) % answers.size()];
        Recorder rec;
        sx_options opt = bench_options(lang, &Recorder::on_event, &rec, pool);
        opt.execute = o.chunk_only ? 0 : 1;
        sx_session *s = nullptr;
        if (sx_session_new(&opt, &s) != SX_OK) {
          std::fprintf(stderr, "sx_session_new: %s\n", sx_last_error());
          return;
        }
        // Token-sized pieces, as fast as they come or at a model's pace.
        auto t0 = std::chrono::steady_clock::now();
        for (std::size_t at = 0, i = 0; at < text.size(); at += o.piece, ++i) {
          if (o.rate > 0)
            std::this_thread::sleep_until(t0 + std::chrono::duration<double>(static_cast<double>(i) / o.rate));
          sx_feed(s, text.data() + at, std::min(o.piece, text.size() - at));
        }
        sx_finish(s);
        sx_session_free(s);
        std::vector<double> lat, disp, disp_first;
        std::size_t units = 0;
        double prev_end = 0;
        bool first = true;
        for (auto &[id, u] : rec.units) {
          if (o.chunk_only && u.closed >= 0) {
            ++units;
            continue;
          }
          if (u.done < 0 || u.closed < 0) continue;
          ++units;
          lat.push_back(u.done - u.closed);
          // Ready: closed, and the unit before it (same worker) ended there
          // (its start and run time in the worker; the host hears of it a
          // trip later, and a unit sent behind it may start before that).
          if (u.started >= 0) {
            double d = std::max(0.0, u.started - std::max(u.closed, prev_end));
            (first ? disp_first : disp).push_back(d);
          }
          first = false;
          prev_end = u.started >= 0 && u.exec_ms >= 0 ? u.started + u.exec_ms : u.done;
        }
        std::lock_guard<std::mutex> lk(mu);
        ++res.answers;
        res.units += units;
        res.latency.insert(res.latency.end(), lat.begin(), lat.end());
        res.dispatch.insert(res.dispatch.end(), disp.begin(), disp.end());
        res.dispatch.insert(res.dispatch.end(), disp_first.begin(), disp_first.end());
        res.dispatch_first.insert(res.dispatch_first.end(), disp_first.begin(), disp_first.end());
      }
    });
  }
  for (auto &t : threads) t.join();
  res.seconds = ms_since(t0) / 1000;
  res.cpu_seconds = process_cpu_seconds() - cpu0;
  if (pool) {
    sx_pool_stats st{};
    st.struct_size = sizeof st;
    sx_pool_stats_get(pool, &st);
    res.warm = st.taken[lang];
    res.cold = st.empty[lang] + st.mismatch[lang];
  }
  sx_pool_free(pool);
  return res;
}

struct IdleMemory {
  double rss_mib = 0, pss_mib = 0;
};

// RSS and PSS per idle session: `k` sessions, each with its worker started
// and one trivial unit run, then measured.
IdleMemory idle_rss_mib(const std::string &lang_name, int k) {
  sx_lang lang = lang_of(lang_name);
  const char *unit = lang == SX_LANG_PYTHON ? "x = 1\n" : lang == SX_LANG_JAVASCRIPT ? "let x = 1;\n" : "int x = 1;\n";
  long before = rss_kib(getpid()) + descendants_rss_kib();
  long before_pss = rss_kib(getpid(), true) + descendants_rss_kib(true);
  std::vector<sx_session *> sessions;
  for (int i = 0; i < k; ++i) {
    sx_options opt;
    sx_options_init(&opt);
    opt.mode = SX_MODE_RAW;
    opt.lang = lang;
    sx_session *s = nullptr;
    if (sx_session_new(&opt, &s) != SX_OK) break;
    sx_feed(s, unit, std::strlen(unit));
    sx_answer_end(s);
    sessions.push_back(s);
  }
  // Wait until each has run its unit.
  for (auto *s : sessions) {
    for (;;) {
      sx_event *ev = nullptr;
      int rc = sx_next_event(s, 30000, &ev);
      if (rc != SX_OK) break;
      bool done = ev->kind == SX_EVENT_ANSWER_DONE;
      sx_event_free(ev);
      if (done) break;
    }
  }
  long after = rss_kib(getpid()) + descendants_rss_kib();
  long after_pss = rss_kib(getpid(), true) + descendants_rss_kib(true);
  for (auto *s : sessions) sx_session_free(s);
  IdleMemory m;
  if (sessions.empty()) return m;
  double n = static_cast<double>(sessions.size()) * 1024.0;
  m.rss_mib = static_cast<double>(after - before) / n;
  m.pss_mib = static_cast<double>(after_pss - before_pss) / n;
  return m;
}

}  // namespace

int sessions_bench(const SessionsOptions &o) {
  auto answers = answers_of(o.answers_dir, o.lang);
  if (answers.empty()) {
    std::fprintf(stderr, "no %s answers in %s\n", o.lang.c_str(), o.answers_dir.c_str());
    return 2;
  }
  unsigned cores = std::thread::hardware_concurrency();
  std::printf(
      "streamexec-bench --sessions: %s, %zu answers (%s), %.0f s per level, %s, %u cores, fed in %zu-byte "
      "pieces %s; each session streams one answer, then the next session starts\n",
      o.lang.c_str(), answers.size(), o.answers_dir.c_str(), o.seconds,
      o.chunk_only ? "chunk-only sessions (the frontend alone: no workers)"
      : o.pool     ? "warm pool (ready workers = sessions)"
                   : "no pool (each session starts its worker)",
      cores, o.piece, o.rate > 0 ? fmt::format("at {:g} per second", o.rate).c_str() : "as fast as possible");
  std::printf("%8s %8s %8s %10s %10s %9s %9s %9s %9s %9s %9s%s\n", "sessions", "answers", "units", "units/s",
              "x single", "lat p50", "lat p99", "disp p50", "disp p99", "1st p99", "cpu busy", o.pool ? "  warm" : "");
  nlohmann::json rows = nlohmann::json::array();
  double single = 0;
  for (int n : o.levels) {
    LevelResult r = run_level(o, answers, n);
    double thr = static_cast<double>(r.units) / r.seconds;
    if (single == 0) single = thr / n;
    double busy = r.cpu_seconds / (r.seconds * cores);
    std::printf("%8d %8zu %8zu %10.1f %10.2f %7.1fms %7.1fms %7.2fms %7.2fms %7.2fms %8.0f%%", n, r.answers, r.units,
                thr, thr / single, quantile(r.latency, 0.5), quantile(r.latency, 0.99), quantile(r.dispatch, 0.5),
                quantile(r.dispatch, 0.99), quantile(r.dispatch_first, 0.99), 100 * busy);
    if (o.pool)
      std::printf("  %llu/%llu", static_cast<unsigned long long>(r.warm),
                  static_cast<unsigned long long>(r.warm + r.cold));
    std::printf("\n");
    std::fflush(stdout);
    rows.push_back({{"sessions", n},
                    {"answers", r.answers},
                    {"units", r.units},
                    {"seconds", r.seconds},
                    {"units_per_s", thr},
                    {"x_single", thr / single},
                    {"latency_p50_ms", quantile(r.latency, 0.5)},
                    {"latency_p99_ms", quantile(r.latency, 0.99)},
                    {"dispatch_p50_ms", quantile(r.dispatch, 0.5)},
                    {"dispatch_p99_ms", quantile(r.dispatch, 0.99)},
                    {"dispatch_first_p99_ms", quantile(r.dispatch_first, 0.99)},
                    {"cpu_busy", busy},
                    {"pool_warm", r.warm},
                    {"pool_cold", r.cold}});
  }
  std::printf(
      "(x single: throughput over the first level's per-session throughput; lat: unit closed -> result; "
      "disp: dispatch latency, from the moment a unit could run (closed, and the unit before it ended in the worker) "
      "to its start in the worker (t_started_ms, the worker's stamp); 1st: of each session's first unit; cpu busy: "
      "machine-wide; warm: sessions that took a "
      "ready worker from the pool / "
      "all)\n");
  nlohmann::json rss = nlohmann::json::object(), pss = nlohmann::json::object();
  if (!o.chunk_only) {
    std::printf(
        "Memory per idle session (8 sessions of one language at once, each with its worker started and one "
        "unit run; host + worker processes), RSS (PSS: shared pages split among their processes):");
    for (const char *l : {"python", "javascript", "cpp"}) {
      IdleMemory m = idle_rss_mib(l, 8);
      rss[l] = m.rss_mib;
      pss[l] = m.pss_mib;
      std::printf(" %s %.1f MiB (%.1f)%s", l, m.rss_mib, m.pss_mib, std::string(l) == "cpp" ? "\n" : ",");
    }
  }
  if (!o.json_out.empty()) {
    std::ofstream(o.json_out) << nlohmann::json{{"lang", o.lang}, {"cores", cores},      {"pool", o.pool},
                                                {"rows", rows},   {"idle_rss_mib", rss}, {"idle_pss_mib", pss}}
                                     .dump(2);
  }
  return 0;
}

// ------------------------------------------------------------------ first result

namespace {

const char *first_answer(sx_lang l, bool bits) {
  switch (l) {
    case SX_LANG_PYTHON: return "```python\nprint(\"first\")\n```\n";
    case SX_LANG_JAVASCRIPT: return "```javascript\nconsole.log(\"first\");\n```\n";
    case SX_LANG_CPP:
      return bits ? "```cpp\n#include <bits/stdc++.h>\nstd::cout << \"first\" << std::endl;\n```\n"
                  : "```cpp\n#include <vector>\n#include <iostream>\nstd::cout << \"first\" << std::endl;\n```\n";
  }
  return "";
}

struct FirstOutput {
  std::mutex mu;
  std::condition_variable cv;
  bool seen = false;
  Clock::time_point at;
  static void on_event(void *user, const sx_event *ev) {
    if (ev->kind != SX_EVENT_OUTPUT) return;
    auto *f = static_cast<FirstOutput *>(user);
    std::lock_guard<std::mutex> lk(f->mu);
    if (!f->seen) f->at = Clock::now();
    f->seen = true;
    f->cv.notify_all();
  }
};

// sx_session_new to the first output of the answer, in ms; -1 on failure.
double library_first(sx_lang l, bool bits, sx_pool *pool) {
  FirstOutput f;
  sx_options opt = bench_options(l, &FirstOutput::on_event, &f, pool);
  auto t0 = Clock::now();
  sx_session *s = nullptr;
  if (sx_session_new(&opt, &s) != SX_OK) return -1;
  const char *text = first_answer(l, bits);
  sx_feed(s, text, std::strlen(text));
  {
    std::unique_lock<std::mutex> lk(f.mu);
    f.cv.wait_for(lk, std::chrono::seconds(60), [&] { return f.seen; });
  }
  double ms = f.seen ? std::chrono::duration<double, std::milli>(f.at - t0).count() : -1;
  sx_finish(s);
  sx_session_free(s);
  return ms;
}

// `streamexec run FILE --rate 0 --json` from fork to the first output event
// on its stdout, in ms.
double cli_first(const std::string &cli, const std::string &file) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl(cli.c_str(), cli.c_str(), "run", file.c_str(), "--rate", "0", "--json", static_cast<char *>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string buf;
  double ms = -1;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
    if (ms < 0 && buf.find("\"event\":\"output\"") != std::string::npos) ms = ms_since(t0);
  }
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return ms;
}

std::string fmt_runs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty() || v.front() < 0) return "failed";
  return fmt::format("{:.1f} (min {:.1f})", quantile(v, 0.5), v.front());
}

}  // namespace

int first_result_bench(const std::string &cli, int reps, const std::string &json_out) {
  struct Case {
    sx_lang lang;
    bool bits;
    const char *name;
  };
  const Case cases[] = {{SX_LANG_PYTHON, false, "python print"},
                        {SX_LANG_JAVASCRIPT, false, "javascript console.log"},
                        {SX_LANG_CPP, false, "cpp <vector>+<iostream>, print"},
                        {SX_LANG_CPP, true, "cpp <bits/stdc++.h>, print"}};
  std::printf("streamexec-bench --first-result: ms to the first output, median of %d (min); %u cores\n", reps,
              std::thread::hardware_concurrency());
  std::printf("%-32s %22s %22s %22s\n", "answer", "cold CLI run", "cold sx_session_new", "warm pool");
  nlohmann::json rows = nlohmann::json::array();
  for (const Case &c : cases) {
    std::string file = fmt::format("/tmp/streamexec-first-{}-{}.md", getpid(), c.bits ? "bits" : sx_lang_name(c.lang));
    std::ofstream(file) << first_answer(c.lang, c.bits);
    std::vector<double> cold_cli, cold_lib, warm;
    for (int i = 0; i < reps; ++i) {
      if (!cli.empty()) cold_cli.push_back(cli_first(cli, file));
      cold_lib.push_back(library_first(c.lang, c.bits, nullptr));
    }
    sx_pool_options po;
    sx_pool_options_init(&po);
    po.ready[0] = po.ready[1] = po.ready[2] = 0;
    po.ready[c.lang] = 1;
    sx_pool *pool = nullptr;
    sx_pool_new(&po, &pool);
    for (int i = 0; i < reps; ++i) {
      sx_pool_wait_ready(pool, 60000);  // refilled after the last session took its worker
      warm.push_back(library_first(c.lang, c.bits, pool));
    }
    sx_pool_free(pool);
    std::remove(file.c_str());
    std::printf("%-32s %22s %22s %22s\n", c.name, cli.empty() ? "-" : fmt_runs(cold_cli).c_str(),
                fmt_runs(cold_lib).c_str(), fmt_runs(warm).c_str());
    std::fflush(stdout);
    rows.push_back({{"case", c.name}, {"cold_cli_ms", cold_cli}, {"cold_library_ms", cold_lib}, {"warm_pool_ms", warm}});
  }
  if (!json_out.empty()) std::ofstream(json_out) << rows.dump(2);
  return 0;
}

}  // namespace sx::bench
