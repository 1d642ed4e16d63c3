// Hostile units (issue: reliability and isolation): whatever a unit does, the
// host survives, the unit gets a clear status, and the session goes on.
#include <fstream>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <sched.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "backends/worker_client.h"
#include "harness.h"

using sxt::json;
using sxt::Trace;

namespace {

std::string status_of(const Trace &r, long unit) {
  for (const auto &e : r.events)
    if (e["event"] == "unit_done" && e["unit_id"] == unit) return e["status"];
  return "<none>";
}

sx_options continuing(double timeout_s = 5) {
  sx_options o = sxt::raw_python();
  o.on_error = SX_POLICY_CONTINUE;
  o.unit_timeout_s = timeout_s;
  return o;
}

// Runs `hostile` in a program (fence) of its own between two harmless ones
// and checks the session went on: the last program ran in a (possibly new)
// worker. (Within one program, what follows a crash is not reached, as in a
// native run: docs/DESIGN.md §6a.)
Trace sandwich(const std::string &hostile, sx_options o = continuing()) {
  o.mode = SX_MODE_MARKDOWN;
  Trace r = sxt::run_text(o, "```python\nprint('before')\n```\n\n```python\n" + hostile +
                                 "```\n\n```python\nprint('after')\n```\n");
  EXPECT_EQ(r.stdout_of(0), "before\n");
  long last = static_cast<long>(r.units().size()) - 1;
  EXPECT_EQ(r.stdout_of(last), "after\n") << "the session did not go on after: " << hostile;
  return r;
}

}  // namespace

TEST(Containment, Abort) {
  Trace r = sandwich("import os\nos.abort()\n");
  EXPECT_EQ(status_of(r, 2), "crashed");
  EXPECT_EQ(r.of("worker_restarted").size(), 1u);
}

TEST(Containment, SelfKill) {
  Trace r = sandwich("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n");
  EXPECT_EQ(status_of(r, 2), "crashed");
}

TEST(Containment, KillingTheProcessGroupDoesNotReachTheHost) {
  // The worker has its own process group: kill(0, SIGTERM) hits only it.
  Trace r = sandwich("import os, signal\nos.kill(0, signal.SIGTERM)\n");
  EXPECT_EQ(status_of(r, 2), "crashed");
}

TEST(Containment, SleepForeverTimesOut) {
  Trace r = sandwich("import time\ntime.sleep(1e6)\n", continuing(0.5));
  EXPECT_EQ(status_of(r, 2), "timeout");
}

TEST(Containment, UnboundedOutputIsCappedWithAMarker) {
  sx_options o = continuing(20);
  o.output_cap_bytes = 1 << 20;
  Trace r = sandwich("import sys\nfor i in range(300000):\n    sys.stdout.write('x' * 99 + '\\n')\n", o);
  std::string out = r.stdout_of(2);
  EXPECT_LE(out.size(), (1u << 20) + 200);
  EXPECT_NE(out.find("truncated at 1048576 bytes"), std::string::npos);
  EXPECT_EQ(status_of(r, 2), "ok");
}

TEST(Containment, UnboundedAllocationHitsTheAddressSpaceLimit) {
  sx_options o = continuing(20);
  o.worker_memory_bytes = 1ull << 30;
  // bytes(n) is calloc'ed: virtual memory, not touched (fast, and without
  // the limit the 16 GiB would be allocated: the test then fails, no OOM).
  Trace r = sandwich("blocks = []\nfor _ in range(512):\n    blocks.append(bytes(32 << 20))\n", o);
  EXPECT_EQ(status_of(r, 2), "error");
  bool mem = false;
  for (const auto &e : r.done())
    if (e["unit_id"] == 2 && e.contains("error")) mem = e["error"]["type"] == "MemoryError";
  EXPECT_TRUE(mem);
}

TEST(Containment, ClosingStdFdsDoesNotBreakTheProtocol) {
  // The protocol (fds 3/4) is untouched and the worker puts fds 0/1/2 back
  // after the unit: 'after' is still captured (sandwich checks it).
  Trace r = sandwich("import os\nos.close(0); os.close(1); os.close(2)\n");
  EXPECT_EQ(status_of(r, 2), "ok");
  EXPECT_TRUE(r.of("worker_restarted").empty());
}

TEST(Containment, GarbageOnTheChannelIsAProtocolViolation) {
  Trace r = sandwich("import os\nos.write(3, b'\\xff\\xff\\xff\\x7f garbage')\n");
  EXPECT_EQ(status_of(r, 2), "crashed");
}

TEST(Containment, WorkerDiesWithTheSession) {
  sx_options o = sxt::raw_python();
  sx_session *s = nullptr;
  ASSERT_EQ(sx_session_new(&o, &s), SX_OK);
  std::string code = std::string("print(") + sxt::kPyWorkerId + ")\n";
  sx_feed(s, code.data(), code.size());
  sx_finish(s);
  unsigned long ns = 0;
  sx_event *ev;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    if (ev->kind == SX_EVENT_OUTPUT && ns == 0) ns = std::stoul(ev->text);
    sx_event_free(ev);
  }
  ASSERT_GT(ns, 0u);
  EXPECT_FALSE(sxt::pids_in_namespace(ns).empty());  // alive while the session is
  sx_session_free(s);
  for (long pid : sxt::pids_in_namespace(ns)) {  // gone (and reaped) after free
    std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(st, line);
    ADD_FAILURE() << "process " << pid << " of the worker's namespace is left: " << line;
  }
}

// ---------------------------------------------------------------------------
// The same hostile cases in every language (issue 8, item 1). Each test runs
// a `before` program that prints the worker's pid, the hostile code as a
// program of its own, and an `after` program that prints the pid again,
// through one session with policy continue, and checks: the hostile unit's
// status, that the later program ran, and that a worker restart happened
// exactly when the pid changed (Python, JavaScript; a C++ program runs in a
// process of its own, forked from the interpreter, whose pid changes with
// each program) and was announced by a worker_restarted event saying the
// state was lost.

namespace {

struct LangSpec {
  sx_lang lang;
  const char *name;
  std::string before, after;     // each prints "before|after <pid>"
  std::size_t n_before, n_after;  // how many units each of them is
  double timeout_s;              // per-unit limit in the timeout tests
};

// The worker runs as PID 2 of its own PID namespace with its own /proc, so
// getpid() is 2 in every worker: the units print the interpreter's start
// time (sxt::k*StartTime), which changes when the worker is restarted (C++,
// whose restarts are not compared, its PID namespace).
const LangSpec kPython{SX_LANG_PYTHON, "python", std::string("x = 0\nprint('before', ") + sxt::kPyStartTime + ")\n",
                       std::string("x = 0\nprint('after', ") + sxt::kPyStartTime + ")\n", 2, 2, 1.0};
const LangSpec kJavaScript{SX_LANG_JAVASCRIPT, "javascript",
                           std::string("console.log('before', ") + sxt::kJsStartTime + ");\n",
                           std::string("console.log('after', ") + sxt::kJsStartTime + ");\n", 1, 1, 1.0};
// After a restart the new C++ worker has lost the include: `after` repeats it.
// (readlink gives "pid:[N]": the number and a ']' that pid_in ignores.)
#define SX_CPP_NS "[] { static char b[64]; readlink(\"/proc/self/ns/pid\", b, 63); return b + 5; }()"
const LangSpec kCpp{SX_LANG_CPP, "cpp", "#include <unistd.h>\nstd::printf(\"before %s\\n\", " SX_CPP_NS ");\n",
                    "#include <unistd.h>\nstd::printf(\"after %s\\n\", " SX_CPP_NS ");\n", 2, 2, 2.0};
#undef SX_CPP_NS

struct Outcome {
  Trace r;
  std::string status;  // of the hostile unit (the last unit before `after`)
  json done;           // its unit_done event
  long hostile = -1;   // its unit id
  bool restarted = false;
  long pid_before = 0, pid_after = 0;
  std::string message() const { return done.contains("error") ? done["error"].value("message", "") : ""; }
  std::string type() const { return done.contains("error") ? done["error"].value("type", "") : ""; }
};

long pid_in(const std::string &out, const std::string &word) {
  auto p = out.find(word + " ");
  return p == std::string::npos ? 0 : std::atol(out.c_str() + p + word.size() + 1);
}

class PerLanguage : public ::testing::TestWithParam<LangSpec> {
 protected:
  const LangSpec &L() const { return GetParam(); }
  std::string pick(const std::string &py, const std::string &js, const std::string &cpp) const {
    return L().lang == SX_LANG_PYTHON ? py : L().lang == SX_LANG_JAVASCRIPT ? js : cpp;
  }
  sx_options opts(double timeout_s = 20) const {
    sx_options o = sxt::default_options();
    o.mode = SX_MODE_RAW;
    o.lang = L().lang;
    o.on_error = SX_POLICY_CONTINUE;
    o.unit_timeout_s = timeout_s;
    return o;
  }
  // Runs before, hostile and after as three programs (fences) and checks
  // what every case has in common.
  Outcome run(const std::string &hostile, sx_options o) const {
    Outcome out;
    std::string fence = std::string("```") + L().name + "\n";
    o.mode = SX_MODE_MARKDOWN;
    o.prestart = 1u << L().lang;
    out.r = sxt::run_text(o, fence + L().before + "```\n\n" + fence + hostile + "```\n\n" + fence + L().after +
                                 "```\n");
    const Trace &r = out.r;
    std::vector<json> closed = r.of("unit_closed");
    EXPECT_GE(closed.size(), L().n_before + L().n_after + 1) << "units were lost";
    if (closed.size() < L().n_before + L().n_after + 1) return out;
    long last = closed.back()["unit"]["id"];
    out.hostile = closed[closed.size() - L().n_after - 1]["unit"]["id"];
    for (const auto &d : r.done()) {
      long id = d["unit_id"];
      if (id == out.hostile) {
        out.done = d;
        out.status = d["status"];
      } else {
        EXPECT_EQ(d["status"], "ok") << "unit " << id << " of the sandwich: " << d.dump();
      }
    }
    std::string before_out = r.stdout_of(closed[L().n_before - 1]["unit"]["id"]);
    std::string after_out = r.stdout_of(last);
    out.pid_before = pid_in(before_out, "before");
    out.pid_after = pid_in(after_out, "after");
    EXPECT_GT(out.pid_before, 0) << before_out;
    EXPECT_GT(out.pid_after, 0) << "the session did not go on after the hostile unit: '" << after_out << "'";
    // A restart is announced, says that the state was lost, and is real.
    auto restarts = r.of("worker_restarted");
    out.restarted = !restarts.empty();
    EXPECT_LE(restarts.size(), 1u);
    for (const auto &e : restarts) {
      EXPECT_EQ(e["lang"], L().name);
      EXPECT_NE(e["reason"].get<std::string>().find("state was lost"), std::string::npos) << e.dump();
    }
    if (out.pid_before > 0 && out.pid_after > 0 && L().lang != SX_LANG_CPP) {
      EXPECT_EQ(out.restarted, out.pid_before != out.pid_after)
          << "worker_restarted must be emitted exactly when the worker changed";
    }
    EXPECT_EQ(r.of("session_done").size(), 1u);
    return out;
  }
};

// The program_done event of the hostile unit's program.
json program_of(const Outcome &o) {
  json fence;
  for (const auto &c : o.r.of("unit_closed"))
    if (c["unit"]["id"] == o.hostile) fence = c["unit"]["fence"];
  for (const auto &p : o.r.of("program_done"))
    if (p["fence"] == fence) return p;
  ADD_FAILURE() << "no program_done for fence " << fence.dump();
  return json::object();
}

std::string lang_param_name(const ::testing::TestParamInfo<LangSpec> &i) { return i.param.name; }
// gtest prints the parameter in test names and failures: the language is enough.
void PrintTo(const LangSpec &l, std::ostream *os) { *os << l.name; }

}  // namespace

INSTANTIATE_TEST_SUITE_P(Containment, PerLanguage, ::testing::Values(kPython, kJavaScript, kCpp), lang_param_name);

TEST_P(PerLanguage, Segfault) {
  Outcome o = run(pick("import ctypes\nctypes.string_at(0)\n", "process.kill(process.pid, 'SIGSEGV');\n",
                       "int *volatile sx_null = nullptr;\n*sx_null = 1;\n"),
                  opts());
  EXPECT_EQ(o.status, "crashed");
  EXPECT_NE(o.message().find("signal 11"), std::string::npos) << o.done.dump();
  // C++: only the program's own process dies; the interpreter it was forked
  // from keeps the state from before the program.
  EXPECT_EQ(o.restarted, L().lang != SX_LANG_CPP);
  EXPECT_EQ(program_of(o)["signal"], 11) << program_of(o).dump();
}

TEST_P(PerLanguage, Abort) {
  Outcome o = run(pick("import os\nos.abort()\n", "process.abort();\n", "std::abort();\n"), opts());
  EXPECT_EQ(o.status, "crashed");
  EXPECT_NE(o.message().find("signal 6"), std::string::npos) << o.done.dump();
  EXPECT_EQ(o.restarted, L().lang != SX_LANG_CPP);
}

// The language's ordinary exit ends the program with that status, as a
// native run does (docs/DESIGN.md §6a); the worker and the state from before the
// program live on, and the next program runs.
TEST_P(PerLanguage, ExitCall) {
  Outcome o = run(pick("import sys\nsys.exit(3)\n", "process.exit(3);\n", "std::exit(3);\n"), opts());
  EXPECT_EQ(o.status, "error");
  EXPECT_EQ(o.type(), L().lang == SX_LANG_PYTHON ? "SystemExit" : L().lang == SX_LANG_JAVASCRIPT ? "ProcessExit"
                                                                                                 : "Exit")
      << o.done.dump();
  EXPECT_EQ(o.done["exit_code"], 3) << o.done.dump();
  EXPECT_EQ(program_of(o)["exit_code"], 3);
  EXPECT_FALSE(o.restarted);
}

// The raw exit system call bypasses the language's exit handling. Python:
// the interpreter ends, a crash (its state is lost; the program's status is
// the code). JavaScript has no raw exit (process.reallyExit is intercepted).
// C++: the program's own process ends with the code, as natively.
TEST_P(PerLanguage, RawExit) {
  Outcome o = run(pick("import os\nos._exit(3)\n", "process.reallyExit(3);\n", "_exit(3);\n"), opts());
  EXPECT_EQ(program_of(o)["exit_code"], 3) << program_of(o).dump();
  if (L().lang == SX_LANG_PYTHON) {
    EXPECT_EQ(o.status, "crashed");
    EXPECT_NE(o.message().find("exited with code 3"), std::string::npos) << o.done.dump();
    EXPECT_TRUE(o.restarted);
    return;
  }
  EXPECT_EQ(o.status, "error");
  EXPECT_EQ(o.type(), L().lang == SX_LANG_JAVASCRIPT ? "ProcessExit" : "Exit") << o.done.dump();
  EXPECT_FALSE(o.restarted);
}

TEST_P(PerLanguage, SelfSigkill) {
  Outcome o = run(pick("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
                       "process.kill(process.pid, 'SIGKILL');\n", "#include <csignal>\nraise(SIGKILL);\n"),
                  opts());
  EXPECT_EQ(o.status, "crashed");
  EXPECT_NE(o.message().find("signal 9"), std::string::npos) << o.done.dump();
  EXPECT_EQ(o.restarted, L().lang != SX_LANG_CPP);
}

// kill(0, SIGTERM) signals the caller's process group: the worker's own, never
// the host's (the host, i.e. this test, would die of it).
TEST_P(PerLanguage, ProcessGroupKillDoesNotReachTheHost) {
  Outcome o = run(pick("import os, signal\nos.kill(0, signal.SIGTERM)\n", "process.kill(0, 'SIGTERM');\n",
                       "#include <csignal>\nkill(0, SIGTERM);\n"),
                  opts());
  EXPECT_EQ(o.status, "crashed");
  EXPECT_NE(o.message().find("signal 15"), std::string::npos) << o.done.dump();
  EXPECT_EQ(o.restarted, L().lang != SX_LANG_CPP);
}

// Whether this machine lets a process create a PID namespace (root, or
// CAP_SYS_ADMIN): workers isolate themselves in one when they can.
// PID namespaces: root's, or inside a user namespace (unprivileged).
bool pid_namespaces_available() {
  pid_t p = fork();
  if (p == 0) _exit(unshare(CLONE_NEWPID) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWPID) == 0 ? 0 : 1);
  int st = 0;
  return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// The interpreter's parent is the worker's supervisor, the init of its PID
// namespace, which the kernel protects from the signals of the processes in
// it: a unit that kills its parent kills no one. (Without the namespace the
// parent would be the supervisor, and the host's child: this test would
// lose its worker.) A C++ program's parent is the interpreter it was forked
// from: killing it kills the worker's own interpreter, never the host.
TEST_P(PerLanguage, KillingTheParentDoesNotReachTheHost) {
  if (!pid_namespaces_available()) GTEST_SKIP() << "no PID namespaces here (not root): workers run unisolated";
  Outcome o = run(pick("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
                       "process.kill(process.ppid, 'SIGKILL');\n",
                       // (one unit; the sleep: the program's process must not end before its parent's death reaches it)
                       "#include <csignal>\n{ kill(getppid(), SIGKILL); usleep(300000); }\n"),
                  opts());
  if (L().lang == SX_LANG_CPP) {
    EXPECT_EQ(o.status, "crashed") << o.done.dump();
    EXPECT_TRUE(o.restarted);
  } else {
    EXPECT_EQ(o.status, "ok") << o.done.dump();
    EXPECT_FALSE(o.restarted);
  }
}

// The host's pid names no process in the worker's PID namespace, even when
// the unit knows it (here it is written into the code): ESRCH.
TEST_P(PerLanguage, KillingTheHostByPidFails) {
  if (!pid_namespaces_available()) GTEST_SKIP() << "no PID namespaces here (not root): workers run unisolated";
  std::string host = std::to_string(getpid());
  Outcome o = run(pick("import os, signal\nos.kill(" + host + ", signal.SIGKILL)\n",
                       "process.kill(" + host + ", 'SIGKILL');\n",
                       "#include <csignal>\n#include <cerrno>\nstd::printf(\"%d %d\\n\", kill(" + host +
                           ", SIGKILL), errno == ESRCH);\n"),
                  opts());
  if (L().lang == SX_LANG_CPP) {
    EXPECT_EQ(o.status, "ok") << o.done.dump();
    EXPECT_EQ(o.r.stdout_of(o.hostile), "-1 1\n");
  } else {
    EXPECT_EQ(o.status, "error") << o.done.dump();
    EXPECT_NE(o.message().find(L().lang == SX_LANG_PYTHON ? "No such process" : "ESRCH"), std::string::npos)
        << o.done.dump();
  }
  EXPECT_FALSE(o.restarted);
}

// Python and JavaScript are interrupted (SIGINT) and keep their worker and
// state; a JIT-compiled C++ loop cannot be interrupted, but its program's
// process can be killed: the interpreter keeps the state from before.
TEST_P(PerLanguage, InfiniteCpuLoopTimesOut) {
  Outcome o = run(pick("while True:\n    pass\n", "for (;;) {}\n",
                       "volatile unsigned long sx_spin = 0;\nfor (;;) ++sx_spin;\n"),
                  opts(L().timeout_s));
  EXPECT_EQ(o.status, "timeout");
  EXPECT_EQ(o.type(), "Timeout");
  EXPECT_FALSE(o.restarted);
}

TEST_P(PerLanguage, SleepForeverTimesOut) {
  // JavaScript: a synchronous wait (Atomics.wait) that no interrupt ends.
  Outcome o = run(pick("import time\ntime.sleep(1e6)\n",
                       "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n",
                       "sleep(1000000);\n"),
                  opts(L().timeout_s));
  EXPECT_EQ(o.status, "timeout");
  EXPECT_EQ(o.type(), "Timeout");
  if (L().lang != SX_LANG_JAVASCRIPT) {
    EXPECT_FALSE(o.restarted);  // SIGINT ends the sleep (Python) or the program's process (C++)
  }
}

TEST(Containment, JavaScriptAwaitForeverTimesOutAndKeepsTheWorker) {
  sx_options o = sxt::default_options();
  o.mode = SX_MODE_RAW;
  o.lang = SX_LANG_JAVASCRIPT;
  o.on_error = SX_POLICY_CONTINUE;
  o.unit_timeout_s = 1;
  Trace r = sxt::run_text(o, "let kept = 41;\nawait new Promise(r => setTimeout(r, 1e9));\nconsole.log(kept + 1);\n");
  EXPECT_EQ(status_of(r, 1), "timeout");
  EXPECT_EQ(r.stdout_of(2), "42\n");
  EXPECT_TRUE(r.of("worker_restarted").empty());
}

// The unit ignores (or takes over) SIGINT and SIGTERM, then loops: it is still
// stopped at its time limit (SIGKILL after the grace period if need be).
TEST_P(PerLanguage, SignalHandlersDoNotPreventTheTimeout) {
  Outcome o = run(pick("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                       "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n",
                       "process.on('SIGINT', () => {});\nprocess.on('SIGTERM', () => {});\nfor (;;) {}\n",
                       "#include <csignal>\nstd::signal(SIGINT, SIG_IGN);\nstd::signal(SIGTERM, SIG_IGN);\n"
                       "volatile unsigned long sx_spin2 = 0;\nfor (;;) ++sx_spin2;\n"),
                  opts(L().timeout_s));
  EXPECT_EQ(o.status, "timeout");
  // Python ignoring SIGINT and C++ need the kill; JavaScript refuses the
  // SIGINT listener, so its interrupt still works.
  if (L().lang != SX_LANG_JAVASCRIPT) {
    EXPECT_TRUE(o.restarted);
  }
}

// Allocations that would succeed without the address-space limit (virtual
// memory, never touched: 16 GiB in 32 MiB blocks) fail under it.
TEST_P(PerLanguage, UnboundedAllocationHitsTheAddressSpaceLimit) {
  sx_options o = opts();
  o.worker_memory_bytes = L().lang == SX_LANG_PYTHON ? (1ull << 30) : (3ull << 30);
  Outcome out = run(pick("blocks = [bytes(32 << 20) for _ in range(512)]; print('allocated', len(blocks))\n",
                         "for (let i = 0, b = []; i < 512; i++) { b.push(new ArrayBuffer(32 << 20)); "
                         "if (i == 511) console.log('allocated', b.length); }\n",
                         "for (int i = 0; i < 512; ++i) if (!new char[32 << 20] || i == 511) std::puts(\"allocated 512\");\n"),
                    o);
  // The allocating unit fails with the language's out-of-memory error.
  EXPECT_EQ(out.r.all_stdout().find("allocated 512"), std::string::npos) << "the limit was not applied";
  bool oom = false;
  for (const auto &d : out.r.done()) {
    if (!d.contains("error")) continue;
    std::string t = d["error"].value("type", ""), m = d["error"].value("message", "");
    if (t == "MemoryError" || t == "RangeError" || m.find("bad_alloc") != std::string::npos ||
        t.find("bad_alloc") != std::string::npos || d["status"] == "limit" || d["status"] == "crashed")
      oom = true;
  }
  EXPECT_TRUE(oom) << "no out-of-memory error reported";
}

TEST_P(PerLanguage, UnboundedOutputIsCappedWithAMarker) {
  sx_options o = opts();
  o.output_cap_bytes = 1 << 20;
  // 30 MB of output against a 1 MiB cap.
  Outcome out = run(pick("import sys\nfor i in range(300000):\n    sys.stdout.write('x' * 99 + '\\n')\n",
                         "for (let i = 0; i < 300000; i++) process.stdout.write('x'.repeat(99) + '\\n');\n",
                         "for (int i = 0; i < 300000; ++i) std::fputs(std::string(99, 'x').append(1, '\\n').c_str(), stdout);\n"),
                    o);
  std::string text = out.r.stdout_of(out.hostile);
  EXPECT_LE(text.size(), (1u << 20) + 200);
  EXPECT_GE(text.size(), (1u << 20));
  EXPECT_NE(text.find("truncated at 1048576 bytes"), std::string::npos);
  EXPECT_EQ(out.status, "ok");
  EXPECT_FALSE(out.restarted);
}

// A unit closes fds 0/1/2: the worker puts them back after the unit, so the
// next unit's output is still captured (`run` checks "after <pid>").
TEST_P(PerLanguage, ClosingStdFdsDoesNotBreakTheWorker) {
  Outcome o = run(pick("import os\nos.close(0); os.close(1); os.close(2)\n",
                       "const fs = require('fs');\nfs.closeSync(0); fs.closeSync(1); fs.closeSync(2);\n",
                       "close(0); close(1); close(2);\n"),
                  opts());
  EXPECT_EQ(o.status, "ok") << o.done.dump();
  EXPECT_FALSE(o.restarted);
  if (L().lang != SX_LANG_CPP) {
    EXPECT_EQ(o.pid_before, o.pid_after);
  }
}

// Replacing fds 1/2 (dup2 of /dev/null over them) is undone too; in
// JavaScript the unit destroys process.stdout/stderr instead.
TEST_P(PerLanguage, RedirectingStdFdsDoesNotBreakTheWorker) {
  Outcome o = run(pick("import os\nfd = os.open('/dev/null', os.O_WRONLY)\nos.dup2(fd, 1); os.dup2(fd, 2)\n",
                       "process.stdout.destroy(); process.stderr.destroy();\n",
                       "#include <fcntl.h>\nint sx_nfd = open(\"/dev/null\", O_WRONLY);\ndup2(sx_nfd, 1); dup2(sx_nfd, 2);\n"),
                  opts());
  EXPECT_EQ(o.status, "ok") << o.done.dump();
  EXPECT_FALSE(o.restarted);
}

// Writing to fds 1 and 2 directly (below the language's own streams) is
// captured as the unit's stdout/stderr.
TEST_P(PerLanguage, WritesToStdFdsAreCapturedPerUnit) {
  Outcome o = run(pick("import os\nos.write(1, b'raw out\\n'); os.write(2, b'raw err\\n')\n",
                       "const fs = require('fs');\nfs.writeSync(1, 'raw out\\n'); fs.writeSync(2, 'raw err\\n');\n",
                       "write(1, \"raw out\\n\", 8); write(2, \"raw err\\n\", 8);\n"),
                  opts());
  EXPECT_EQ(o.status, "ok") << o.done.dump();
  // Each write belongs to the unit that made it (one or two units here).
  long out_unit = -1, err_unit = -1;
  for (const auto &c : o.r.of("unit_closed")) {
    std::string code = c["unit"]["code"];
    if (code.find("raw out") != std::string::npos) out_unit = c["unit"]["id"];
    if (code.find("raw err") != std::string::npos) err_unit = c["unit"]["id"];
  }
  EXPECT_EQ(o.r.stdout_of(out_unit), "raw out\n");
  std::string err, all_err;
  for (const auto &e : o.r.of("output")) {
    if (e["stream"] != "stderr") continue;
    all_err += e["text"].get<std::string>();
    if (e["unit_id"] == err_unit) err += e["text"].get<std::string>();
  }
  EXPECT_EQ(err, "raw err\n");
  EXPECT_EQ(all_err, "raw err\n");
}

// The host protocol (fds 3/4 of the worker) belongs to the supervisor; the
// interpreter's fd 3 is its private channel to the supervisor and its fd 4
// is not the host's (none in Python and C++: EBADF; libuv's epoll in
// JavaScript: EINVAL). A frame written there reaches no one.
TEST_P(PerLanguage, TheHostProtocolIsNotOpenInTheInterpreter) {
  Outcome o = run(pick("import os\nos.write(4, b'\\x10\\x00\\x00\\x00{\"op\":\"done\"}')\n",
                       "require('fs').writeSync(4, '\\x10\\x00\\x00\\x00{\"op\":\"done\"}');\n",
                       "std::printf(\"%zd\\n\", write(4, \"\\x10\\x00\\x00\\x00{}\", 6));\n"),
                  opts());
  if (L().lang == SX_LANG_CPP) {
    EXPECT_EQ(o.status, "ok") << o.done.dump();
    EXPECT_EQ(o.r.stdout_of(o.hostile), "-1\n");
  } else {
    EXPECT_EQ(o.status, "error") << o.done.dump();
    EXPECT_NE(o.message().find(L().lang == SX_LANG_PYTHON ? "Bad file descriptor" : "EINVAL"), std::string::npos)
        << o.done.dump();
  }
  EXPECT_FALSE(o.restarted);
}

// Bytes on the private channel (fd 3) that are not a message the supervisor
// expects: a protocol violation. The supervisor ends the worker (never the
// host) and says why; the session goes on with a new worker.
TEST_P(PerLanguage, ForgedBytesOnTheChannelAreAProtocolViolation) {
  Outcome o = run(pick("import os\nos.write(3, b'garbage')\n", "require('fs').writeSync(3, 'garbage');\n",
                       "write(3, \"garbage\", 7);\n"),
                  opts());
  EXPECT_EQ(o.status, "crashed") << o.done.dump();
  EXPECT_EQ(o.type(), "WorkerError") << o.done.dump();
  EXPECT_NE(o.message().find("protocol violation"), std::string::npos) << o.done.dump();
  EXPECT_TRUE(o.restarted);
}

// A well-formed message the supervisor does not expect at that point (a
// result for a unit that is not running) is a violation too.
TEST_P(PerLanguage, ForgedResultForAnotherUnitIsAProtocolViolation) {
  // A 'done' record for unit 12345 ('S' = a message in one record).
  Outcome o = run(pick("import os\nos.write(3, b'S{\"op\":\"done\",\"id\":12345,\"status\":\"ok\"}')\n",
                       "require('fs').writeSync(3, 'S{\"op\":\"done\",\"id\":12345,\"status\":\"ok\"}');\n",
                       "write(3, \"S{\\\"op\\\":\\\"done\\\",\\\"id\\\":12345,\\\"status\\\":\\\"ok\\\"}\", 40);\n"),
                  opts());
  EXPECT_EQ(o.status, "crashed") << o.done.dump();
  EXPECT_NE(o.message().find("protocol violation"), std::string::npos) << o.done.dump();
  EXPECT_TRUE(o.restarted);
  for (const auto &d : o.r.done()) EXPECT_NE(d["unit_id"], 12345) << "a forged result was believed";
}

// Closing the channel: the interpreter cannot report any more and ends; the
// worker is restarted (C++: the program's own process ends; the state from
// before the program lives on).
TEST_P(PerLanguage, ClosingTheChannelEndsOnlyTheWorker) {
  Outcome o = run(pick("import os\nos.close(3)\n", "require('fs').closeSync(3);\n", "close(3);\n"), opts());
  EXPECT_NE(o.status, "ok") << o.done.dump();
  EXPECT_EQ(o.restarted, L().lang != SX_LANG_CPP);
}

// Waits for a worker's frames in slices of 1 ms: each slice still reads
// what has come. (Waits were counted in whole ms rounded down: under 1 ms
// left, recv returned Timeout without reading, and a loop of short waits
// never saw "ready" — found when the executor waited for a starting worker
// in 2 ms slices: every session hung at its end.)
TEST(WorkerClient, ShortWaitsStillReadTheFrames) {
  std::string err;
  auto w = sx::WorkerProcess::spawn(std::string(SX_BINARY_DIR) + "/bin/streamexec-worker-python", sx::WorkerLimits{},
                                    sx::WorkerSandbox{}, &err);
  ASSERT_TRUE(w) << err;
  nlohmann::json ready;
  std::vector<nlohmann::json> early;
  sx::WorkerProcess::Read r = sx::WorkerProcess::Read::Timeout;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (r == sx::WorkerProcess::Read::Timeout && std::chrono::steady_clock::now() < until)
    r = w->await_ready(&ready, 1, &early);
  ASSERT_EQ(r, sx::WorkerProcess::Read::Frame);
  EXPECT_EQ(ready.value("op", ""), "ready") << ready.dump();
  // recv with no time at all still reads a frame that is there.
  ASSERT_TRUE(w->send({{"op", "exec"}, {"stop_on_error", true}, {"units", {{{"id", 1}, {"code", "1"}, {"line", 1}}}}}));
  nlohmann::json f;
  std::vector<std::string> ops;
  while (std::chrono::steady_clock::now() < until && (ops.empty() || ops.back() != "done")) {
    if (w->recv(&f, 0) == sx::WorkerProcess::Read::Frame) ops.push_back(f.value("op", ""));
    else std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"started", "done"}));
}
