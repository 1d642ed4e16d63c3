// streamexec-stress — load and hostile-unit suite (issue: reliability).
//  * N sessions in N threads of this one host process, each streaming M units
//    of mixed languages in random splits; every unit's result must arrive
//    exactly once and in order per language, and its output must be its own.
//  * a hostile-unit pass per language (crash, abort, exit, loops, floods).
// Prints sessions, units, lost/duplicated/misordered results, crashes
// contained, worker restarts and the host's max RSS. Exit 1 if anything was lost.
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"

using nlohmann::json;

namespace {

struct Totals {
  std::atomic<long> units{0}, results{0}, lost{0}, duplicated{0}, misordered{0}, wrong_output{0};
  std::atomic<long> crashes{0}, timeouts{0}, restarts{0}, failed_sessions{0};
};

struct Sink {
  std::mutex mu;
  std::vector<json> ev;
};

void on_ev(void *u, const sx_event *e) {
  auto *s = static_cast<Sink *>(u);
  std::lock_guard<std::mutex> lk(s->mu);
  s->ev.push_back(json::parse(std::string(e->json, e->json_len)));
}

// Options of a session whose events all go to *sink; failures don't stop it.
sx_options collecting_options(Sink *sink, double timeout_s) {
  sx_options o;
  sx_options_init(&o);
  o.on_event = on_ev;
  o.user = sink;
  o.queue_events = 0;
  o.on_error = SX_POLICY_CONTINUE;
  o.unit_timeout_s = timeout_s;
  return o;
}

bool have_worker(const std::string &lang) {
  const char *dir = getenv("STREAMEXEC_WORKER_DIR");
  std::string d = dir ? dir : SX_DEFAULT_WORKER_DIR;
  return access((d + "/streamexec-worker-" + lang).c_str(), X_OK) == 0;
}

long rss_kib() {
  std::ifstream st("/proc/self/status");
  std::string line;
  while (std::getline(st, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

// A long answer fed one byte per sx_feed call: prose, with a small Python
// fence every MiB. Prints time per MiB and RSS as it goes; fails if a fence's
// output is missing, feeding slows down, or memory grows with the stream.
bool long_stream(std::size_t mib) {
  Sink sink;  // one fence per MiB: few events
  sx_options o = collecting_options(&sink, 60);
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) return false;
  const std::string prose = "The model explains its plan in plain prose, line after line of it. (x) [y] {z}\n";
  auto t0 = std::chrono::steady_clock::now();
  long rss0 = rss_kib(), rss_mid = 0, rss_max = 0;
  double first_mib_s = 0, last_mib_s = 0, t_prev = 0;
  fmt::print("\nlong stream: {} MiB in 1-byte sx_feed calls\n", mib);
  for (std::size_t m = 0; m < mib; ++m) {
    std::string chunk = fmt::format("```python\nprint({})\n```\n", m);
    while (chunk.size() < (1u << 20)) chunk += prose;
    chunk.resize(1u << 20);
    chunk.back() = '\n';
    for (char c : chunk) sx_feed(s, &c, 1);
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (m == 0) first_mib_s = t;
    last_mib_s = t - t_prev;
    t_prev = t;
    long rss = rss_kib();
    if (m == mib / 2) rss_mid = rss;
    rss_max = std::max(rss_max, rss);
    if ((m + 1) % 128 == 0 || m + 1 == mib)
      fmt::print("  {:>6} MiB  {:7.1f} s  {:.3f} s/MiB  RSS {:.1f} MiB\n", m + 1, t, last_mib_s,
                 static_cast<double>(rss) / 1024);
  }
  sx_finish(s);
  sx_session_free(s);
  std::string want, out;
  for (std::size_t m = 0; m < mib; ++m) want += std::to_string(m) + "\n";
  long n_ok = 0, n_other = 0;
  for (const auto &e : sink.ev) {
    if (e["event"] == "unit_done") (e["status"] == "ok" ? n_ok : n_other)++;
    if (e["event"] == "output") out += e["text"].get<std::string>();
  }
  long growth = rss_max - (rss_mid ? rss_mid : rss0);
  bool ok = n_ok == static_cast<long>(mib) && n_other == 0 && out == want &&
            last_mib_s < 3 * first_mib_s + 0.5 && growth < static_cast<long>(mib) * 1024 / 16;
  fmt::print("long stream         {} MiB, {} units ok, first MiB {:.3f} s, last MiB {:.3f} s, "
             "RSS {:.1f} → {:.1f} MiB (second half +{} KiB){}\n",
             mib, n_ok, first_mib_s, last_mib_s, static_cast<double>(rss0) / 1024,
             static_cast<double>(rss_max) / 1024, growth, ok ? "" : "  FAIL");
  return ok;
}

// One session: `units` units spread over fences of the available languages.
void load_session(int idx, int units, const std::vector<std::string> &langs, Totals &t) {
  std::mt19937 rng(1000 + idx);
  std::string answer;
  std::map<long, std::pair<std::string, std::string>> expect;  // unit id -> (lang, stdout)
  long id = 0;
  int made = 0;
  while (made < units) {
    const std::string &lang = langs[rng() % langs.size()];
    int n = std::min(units - made, static_cast<int>(5 + rng() % 20));
    answer += fmt::format("Step {}:\n\n```{}\n", made, lang);
    for (int k = 0; k < n; ++k, ++made, ++id) {
      std::string tag = fmt::format("s{}u{}", idx, id);
      if (lang == "python") answer += fmt::format("print('{}')\n", tag);
      else if (lang == "javascript") answer += fmt::format("console.log('{}');\n", tag);
      else answer += fmt::format("printf(\"{}\\n\");\n", tag);
      expect[id] = {lang, tag + "\n"};
    }
    answer += "```\n\n";
  }
  // C++ needs <cstdio>; prepend one fence that includes it (not counted as a checked unit).
  std::string prefix;
  long shift = 0;
  if (std::find(langs.begin(), langs.end(), "cpp") != langs.end()) {
    prefix = "```cpp\n#include <cstdio>\n```\n";
    shift = 1;
  }
  answer = prefix + answer;

  Sink sink;
  sx_options o = collecting_options(&sink, 60);
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) {
    ++t.failed_sessions;
    return;
  }
  std::uniform_int_distribution<std::size_t> len(1, 64);
  for (std::size_t i = 0; i < answer.size();) {
    std::size_t k = std::min(len(rng), answer.size() - i);
    sx_feed(s, answer.data() + i, k);
    i += k;
  }
  sx_finish(s);
  sx_session_free(s);

  std::map<long, int> seen;
  std::map<std::string, long> last_per_lang;
  std::map<long, std::string> out;
  for (const auto &e : sink.ev) {
    if (e["event"] == "unit_done") {
      long u = e["unit_id"].get<long>() - shift;
      if (u < 0) continue;
      ++seen[u];
      std::string lang = e["lang"];
      auto it = last_per_lang.find(lang);
      if (it != last_per_lang.end() && it->second > u) ++t.misordered;
      last_per_lang[lang] = u;
      if (e["status"] == "crashed") ++t.crashes;
    } else if (e["event"] == "output" && e["stream"] == "stdout") {
      out[e["unit_id"].get<long>() - shift] += e["text"].get<std::string>();
    } else if (e["event"] == "worker_restarted") {
      ++t.restarts;
    }
  }
  t.units += static_cast<long>(expect.size());
  for (const auto &[u, ex] : expect) {
    auto it = seen.find(u);
    if (it == seen.end()) {
      ++t.lost;
      continue;
    }
    ++t.results;
    if (it->second > 1) ++t.duplicated;
    if (out[u] != ex.second) {
      // The first few are shown: a wrong output must say which and how.
      if (++t.wrong_output <= 5)
        fmt::print(stderr, "wrong output: session {} unit {} ({}): expected {:?}, got {:?}\n", idx, u + shift,
                   ex.first, ex.second, out[u]);
    }
  }
}

struct Hostile {
  const char *lang, *name, *code, *want;  // want: accepted statuses, '|'-separated
  bool needs_pid_namespace = false;       // would kill this host without the isolation
};

// Workers isolate themselves in a PID namespace when the machine allows it
// (root or CAP_SYS_ADMIN); without one, a unit can signal its host.
bool pid_namespaces_available() {
  pid_t p = fork();
  if (p == 0) _exit(unshare(CLONE_NEWPID) == 0 ? 0 : 1);
  int st = 0;
  return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

const Hostile kHostile[] = {
    {"python", "segfault", "import ctypes; ctypes.string_at(0)\n", "crashed"},
    {"python", "abort", "import os; os.abort()\n", "crashed"},
    {"python", "os._exit", "import os; os._exit(3)\n", "crashed"},
    {"python", "cpu loop", "while True: pass\n", "timeout"},
    {"python", "sleep forever", "import time; time.sleep(1e9)\n", "timeout"},
    {"python", "SIGINT ignored + loop", "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass\n", "timeout"},
    {"python", "allocate without bound", "b = []\nwhile True: b.append(bytearray(1 << 26))\n", "error|timeout"},
    {"python", "print without bound", "while True: print('x' * 1000)\n", "timeout"},
    {"python", "close fds 0/1/2", "import os; os.close(0); os.close(1); os.close(2)\n", "ok"},
    {"python", "fork bomb", "import os\nwhile True: os.fork()\n", "error|timeout"},
    {"python", "background child", "import subprocess; subprocess.Popen(['sleep', '600'])\nwhile True: pass\n",
     "timeout"},
    {"python", "garbage on protocol fd", "import os; os.write(4, b'\\xff\\xff\\xff\\x7fjunk')\n", "crashed"},
    {"javascript", "process.exit", "process.exit(3);\n", "error"},  // intercepted by the worker
    {"javascript", "cpu loop", "while (true) {}\n", "timeout"},
    {"javascript", "throw", "throw new Error('boom');\n", "error"},
    {"javascript", "allocate without bound", "const a = []; while (true) a.push(new Array(1e6).fill(1));\n",
     "crashed|timeout|error"},
    {"cpp", "segfault", "*(volatile int *)0 = 1;\n", "crashed"},
    {"cpp", "abort", "#include <cstdlib>\nstd::abort();\n", "crashed"},
    {"cpp", "exit", "std::exit(3);\n", "crashed"},
    {"cpp", "cpu loop", "for (;;) {}\n", "timeout"},
    {"cpp", "fork bomb", "#include <unistd.h>\nfor (;;) fork();\n", "timeout"},
    {"python", "kill the parent", "import os, signal; os.kill(os.getppid(), signal.SIGKILL)\n", "ok", true},
    {"javascript", "kill the parent", "process.kill(process.ppid, 'SIGKILL');\n", "ok", true},
    {"cpp", "kill the parent", "#include <csignal>\n#include <unistd.h>\nkill(getppid(), SIGKILL);\n", "ok", true},
};

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"streamexec-stress — load and hostile-unit suite"};
  int sessions = 8, units = 1000;
  bool no_hostile = false;
  std::size_t stream_mib = 1024;
  app.add_option("--stream-mib", stream_mib, "also feed an answer of this many MiB one byte per call (0 = skip)")->capture_default_str();
  app.add_option("--sessions", sessions)->capture_default_str();
  app.add_option("--units", units, "units per session")->capture_default_str();
  app.add_flag("--no-hostile", no_hostile);
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> langs;
  for (const char *l : {"python", "javascript", "cpp"})
    if (have_worker(l)) langs.push_back(l);
  fmt::print("languages with a worker: {}\n", fmt::join(langs, ", "));

  Totals t;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> th;
  for (int i = 0; i < sessions; ++i) th.emplace_back(load_session, i, units, std::cref(langs), std::ref(t));
  for (auto &x : th) x.join();
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int hostile_ok = 0, hostile_total = 0;
  if (!no_hostile) {
    fmt::print("\nhostile units (each between two harmless ones; the session must go on):\n");
    bool pidns = pid_namespaces_available();
    for (const auto &h : kHostile) {
      if (std::find(langs.begin(), langs.end(), h.lang) == langs.end()) continue;
      if (h.needs_pid_namespace && !pidns) {
        fmt::print("  skip {:<11} {:<26} (no PID namespaces here: not root; the unit would kill this host)\n",
                   h.lang, h.name);
        continue;
      }
      ++hostile_total;
      Sink sink;
      sx_options o = collecting_options(&sink, 1);
      o.output_cap_bytes = 1 << 20;
      o.worker_max_processes = 128;
      // V8 reserves a large virtual address range at start-up: give it room.
      o.worker_memory_bytes = std::string(h.lang) == "javascript" ? 8ull << 30 : 1ull << 30;
      o.mode = SX_MODE_RAW;
      sx_lang_from_name(h.lang, &o.lang);
      std::string before = std::string(h.lang) == "python" ? "print('before')\n" :
                           std::string(h.lang) == "javascript" ? "console.log('before');\n" :
                                                                 "#include <cstdio>\n#include <cstdlib>\n";
      std::string after = std::string(h.lang) == "python" ? "print('after')\n" :
                          std::string(h.lang) == "javascript" ? "console.log('after');\n" : "printf(\"after\\n\");\n";
      std::string code = before + h.code + after;
      sx_session *s = nullptr;
      sx_session_new(&o, &s);
      sx_feed(s, code.data(), code.size());
      sx_finish(s);
      sx_session_free(s);
      std::string status = "<none>", out_after;
      long n_units = 0;
      for (const auto &e : sink.ev)
        if (e["event"] == "unit_closed") ++n_units;
      // The hostile code's status: the first unit that did not end "ok"
      // (the last unit is the harmless "after").
      for (const auto &e : sink.ev) {
        if (e["event"] == "unit_done" && e["unit_id"] != n_units - 1 && e["status"] != "ok" && status == "<none>")
          status = e["status"];
        if (e["event"] == "output" && e["unit_id"] == n_units - 1) out_after += e["text"].get<std::string>();
        if (e["event"] == "worker_restarted") ++t.restarts;
      }
      if (status == "<none>") status = "ok";
      if (status == "crashed") ++t.crashes;
      if (status == "timeout") ++t.timeouts;
      std::string want = std::string("|") + h.want + "|";
      bool ok = want.find("|" + status + "|") != std::string::npos && out_after == "after\n";
      hostile_ok += ok;
      fmt::print("  {:<4} {:<11} {:<26} -> {:<8} (want {}), next unit {}\n", ok ? "ok" : "FAIL", h.lang, h.name, status,
                 h.want, out_after == "after\n" ? "ran" : "DID NOT RUN");
    }
  }

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  fmt::print("\nsessions            {}\n", sessions);
  fmt::print("units               {} ({} per session, languages: {})\n", t.units.load(), units, fmt::join(langs, "+"));
  fmt::print("results             {}\n", t.results.load());
  fmt::print("lost results        {}\n", t.lost.load());
  fmt::print("duplicated results  {}\n", t.duplicated.load());
  fmt::print("misordered results  {}\n", t.misordered.load());
  fmt::print("wrong outputs       {}\n", t.wrong_output.load());
  fmt::print("load phase          {:.1f} s\n", load_s);
  fmt::print("hostile units       {}/{} contained as expected\n", hostile_ok, hostile_total);
  fmt::print("crashes contained   {}\n", t.crashes.load());
  fmt::print("timeouts enforced   {}\n", t.timeouts.load());
  fmt::print("worker restarts     {}\n", t.restarts.load());
  fmt::print("max host RSS        {:.1f} MiB\n", static_cast<double>(ru.ru_maxrss) / 1024);
  bool stream_ok = stream_mib == 0 || long_stream(stream_mib);
  bool bad = t.lost || t.duplicated || t.misordered || t.wrong_output || t.failed_sessions ||
             hostile_ok != hostile_total || !stream_ok;
  return bad ? 1 : 0;
}
