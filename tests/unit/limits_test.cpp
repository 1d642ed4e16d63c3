// Session-level limits (issue: reliability and isolation): the total session
// time, the number of processes a worker may create, and what happens to the
// processes a unit starts when its worker is killed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "harness.h"

using sxt::json;
using sxt::Trace;

namespace {

bool process_alive(long pid) { return pid > 0 && kill(static_cast<pid_t>(pid), 0) == 0; }

// Waits (up to 5 s) until `pid` is gone or a zombie of someone else.
bool gone(long pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(st)), {});
    if (s.empty()) return true;
    auto p = s.rfind(')');
    if (p != std::string::npos && p + 2 < s.size() && s[p + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST(SessionTimeLimit, RunningUnitIsKilledAndLaterUnitsAreSkipped) {
  sx_options o = sxt::raw_python();
  o.session_timeout_s = 1.5;
  o.unit_timeout_s = 30;  // the unit limit alone would let it run for 30 s
  auto t0 = std::chrono::steady_clock::now();
  Trace r = sxt::run_text(o, "x = 1\nimport time\nwhile True: time.sleep(0.01)\nprint('never')\n");
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status_of(0), "ok");
  EXPECT_EQ(r.status_of(2), "limit");
  json d = r.done_of(2);
  EXPECT_EQ(d["error"]["type"], "SessionTimeLimit");
  EXPECT_NE(d["error"]["message"].get<std::string>().find("total time limit of 1.5 s"), std::string::npos);
  EXPECT_EQ(r.status_of(3), "skipped");
  EXPECT_FALSE(r.of("stop_advised").empty());
  EXPECT_EQ(r.all_stdout().find("never"), std::string::npos);
  EXPECT_LT(s, 15) << "the session limit did not end the session";
}

TEST(SessionTimeLimit, UnitsClosingAfterTheLimitAreSkippedWithTheReason) {
  sx_options o = sxt::raw_python();
  o.session_timeout_s = 0.5;
  sx_session *s = nullptr;
  ASSERT_EQ(sx_session_new(&o, &s), SX_OK);
  const char a[] = "print('early')\n";
  sx_feed(s, a, sizeof a - 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  const char b[] = "print('late')\n";
  sx_feed(s, b, sizeof b - 1);
  sx_finish(s);
  Trace r;
  sx_event *ev;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    r.events.push_back(json::parse(std::string(ev->json, ev->json_len)));
    sx_event_free(ev);
  }
  sx_session_free(s);
  EXPECT_EQ(r.status_of(1), "skipped");
  EXPECT_NE(r.done_of(1)["note"].get<std::string>().find("total time limit"), std::string::npos);
  EXPECT_EQ(r.all_stdout().find("late"), std::string::npos);
}

TEST(SessionTimeLimit, NegativeOrNaNIsRejected) {
  sx_options o = sxt::raw_python();
  sx_session *s = nullptr;
  o.session_timeout_s = -1;
  EXPECT_EQ(sx_session_new(&o, &s), SX_EINVAL);
  o.session_timeout_s = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(sx_session_new(&o, &s), SX_EINVAL);
  EXPECT_EQ(s, nullptr);
}

// A fork bomb: every process forks until forking fails. With the process
// limit it fails early (EAGAIN); the unit gets a result, the host and the
// machine are fine, and every forked copy is gone afterwards.
TEST(ProcessLimit, ForkBombIsContained) {
  sx_options o = sxt::raw_python();
  o.on_error = SX_POLICY_CONTINUE;
  o.unit_timeout_s = 10;
  o.worker_max_processes = 64;
  Trace r = sxt::run_text(o,
                          "import os\n"
                          "pids = []\n"
                          "try:\n"
                          "    for _ in range(1000):\n"
                          "        pid = os.fork()\n"
                          "        if pid == 0:\n"
                          "            import time\n"
                          "            time.sleep(60)\n"
                          "            os._exit(0)\n"
                          "        pids.append(pid)\n"
                          "except OSError as e:\n"
                          "    print('fork failed after', len(pids), type(e).__name__)\n"
                          "print('after')\n");
  std::string out = r.all_stdout();
  EXPECT_NE(out.find("fork failed after"), std::string::npos) << out;
  EXPECT_NE(out.find("after\n"), std::string::npos);
  // Every unit reported exactly once (the forked copies never speak).
  EXPECT_EQ(r.done().size(), r.units().size());
  EXPECT_EQ(r.status_of(2), "ok");
}

// A forked child that finishes its copy of the unit exits quietly: no second
// result for the unit, no garbage on the protocol pipe.
TEST(ProcessLimit, ForkedChildNeverReportsForTheWorker) {
  sx_options o = sxt::raw_python();
  o.unit_timeout_s = 10;
  Trace r = sxt::run_text(o,
                          "import os\n"
                          "pid = os.fork()\n"
                          "if pid: os.waitpid(pid, 0)\n"
                          "print('parent' if pid else 'child')\n");
  ASSERT_EQ(r.done().size(), 4u);
  for (const auto &d : r.done()) EXPECT_EQ(d["status"], "ok") << d.dump();
  EXPECT_EQ(r.all_stdout(), "parent\n");
}

// A process the unit starts in the background dies with the worker when the
// worker is killed (timeout) and when the session ends.
TEST(ProcessLimit, BackgroundChildrenDieWithTheWorker) {
  for (bool timeout : {true, false}) {
    sx_options o = sxt::raw_python();
    o.on_error = SX_POLICY_CONTINUE;
    o.unit_timeout_s = 2;
    // The child lives in the worker's PID namespace: the unit prints which.
    std::string code = std::string(
                           "import os, subprocess\n"
                           "p = subprocess.Popen(['sleep', '300'])\n"
                           "print(") + sxt::kPyWorkerId + ")\n";
    if (timeout) code += "while True: pass\n";
    Trace r = sxt::run_text(o, code);
    std::string out = r.stdout_of(2);
    ASSERT_FALSE(out.empty()) << "the unit did not start a child";
    unsigned long ns = std::stoul(out);
    EXPECT_TRUE(sxt::namespace_empties(ns)) << "the child survived its worker (timeout=" << timeout << ")";
    for (long pid : sxt::pids_in_namespace(ns)) kill(static_cast<pid_t>(pid), SIGKILL);
  }
}

// Issue 8, item 2: a host killed with SIGKILL (no destructor runs) leaves no
// process behind: not the workers of its three languages, not their
// PID-namespace relays and inits, not what the units started. The host is a
// forked copy of this test that streams an answer whose units print their
// pid as the host sees it, start a background `sleep`, and then sleep.
TEST(HostDeath, KillingTheHostLeavesNoProcessBehind) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t host = fork();
  ASSERT_GE(host, 0);
  if (host == 0) {
    close(p[0]);
    sx_options o = sxt::default_options();
    o.mode = SX_MODE_MARKDOWN;
    o.unit_timeout_s = 300;
    o.queue_events = 1;
    sx_session *s = nullptr;
    if (sx_session_new(&o, &s) != SX_OK) _exit(2);
    std::string answer =
        std::string("```python\nimport os, subprocess, time\nsubprocess.Popen(['sleep', '301'])\n"
                    "print(") + sxt::kPyWorkerId + ")\ntime.sleep(300)\n```\n"
        "```javascript\nrequire('child_process').spawn('sleep', ['302'], {detached: true, stdio: 'ignore'}).unref();\n"
        "console.log(" + sxt::kJsWorkerId + ");\nwhile (true) {}\n```\n"
        "```cpp\n#include <unistd.h>\n#include <sys/stat.h>\n#include <cstdlib>\nstd::system(\"sleep 303 &\");\n"
        "std::printf(\"%lu\\n\", " + sxt::kCppWorkerId + ");\n"
        "sleep(300);\n```\n";
    sx_feed(s, answer.data(), answer.size());  // no sx_finish: it would wait for the units
    sx_event *ev;
    for (;;) {
      if (sx_next_event(s, 1000, &ev) != SX_OK) continue;
      if (ev->kind == SX_EVENT_OUTPUT && write(p[1], ev->text, strlen(ev->text)) < 0) _exit(3);
      sx_event_free(ev);
    }
  }
  close(p[1]);
  // The three workers' pids, one line each.
  std::string got;
  char buf[256];
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::count(got.begin(), got.end(), '\n') < 3 && std::chrono::steady_clock::now() < until) {
    pollfd pf{p[0], POLLIN, 0};
    if (poll(&pf, 1, 1000) <= 0) continue;
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  close(p[0]);
  // Everything that descends from the host, before it dies.
  std::vector<long> tree;
  std::function<void(long)> walk = [&](long pid) {
    std::error_code ec;
    for (const auto &task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
      std::ifstream kids(task.path() / "children");  // a thread's children
      for (long k; kids >> k;) {
        if (std::find(tree.begin(), tree.end(), k) != tree.end()) continue;
        tree.push_back(k);
        walk(k);
      }
    }
  };
  walk(host);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the units' sleeps start
  walk(host);
  // Each worker's namespace: its processes are the host's descendants.
  std::istringstream workers(got);
  std::vector<unsigned long> namespaces;
  for (unsigned long ns; workers >> ns;) {
    namespaces.push_back(ns);
    for (long pid : sxt::pids_in_namespace(ns))
      EXPECT_NE(std::find(tree.begin(), tree.end(), pid), tree.end()) << pid << " of namespace " << ns;
  }
  kill(host, SIGKILL);
  int st = 0;
  waitpid(host, &st, 0);
  ASSERT_EQ(std::count(got.begin(), got.end(), '\n'), 3) << "units did not all start: '" << got << "'";
  EXPECT_EQ(namespaces.size(), 3u);
  // relay, init and worker of 3 languages, plus the background sleeps.
  EXPECT_GE(tree.size(), 12u);
  for (long pid : tree) {
    EXPECT_TRUE(gone(pid)) << "process " << pid << " outlived the host";
    if (process_alive(pid)) kill(static_cast<pid_t>(pid), SIGKILL);
  }
  for (unsigned long ns : namespaces) {
    EXPECT_TRUE(sxt::namespace_empties(ns)) << "a process of PID namespace " << ns << " outlived the host";
    for (long pid : sxt::pids_in_namespace(ns)) kill(static_cast<pid_t>(pid), SIGKILL);
  }
}
