// Hostile units (issue: reliability and isolation): whatever a unit does, the
// host survives, the unit gets a clear status, and the session goes on.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

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

// Runs `hostile` as unit 1 between two harmless units and checks the session
// went on: unit 2 ran in a (possibly new) worker.
Trace sandwich(const std::string &hostile, sx_options o = continuing()) {
  Trace r = sxt::run_text(o, "print('before')\n" + hostile + "print('after')\n");
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
  Trace r = sandwich("blocks = []\nwhile True:\n    blocks.append(bytearray(32 << 20))\n", o);
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

TEST(Containment, GarbageOnTheProtocolPipeIsACrash) {
  Trace r = sandwich("import os\nos.write(4, b'\\xff\\xff\\xff\\x7f garbage')\n");
  EXPECT_EQ(status_of(r, 2), "crashed");
}

TEST(Containment, WorkerDiesWithTheSession) {
  sx_options o = sxt::raw_python();
  sx_session *s = nullptr;
  ASSERT_EQ(sx_session_new(&o, &s), SX_OK);
  std::string code = "import os\nprint(os.getpid())\n";
  sx_feed(s, code.data(), code.size());
  sx_finish(s);
  long pid = 0;
  sx_event *ev;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    if (ev->kind == SX_EVENT_OUTPUT && pid == 0) pid = std::atol(ev->text);
    sx_event_free(ev);
  }
  ASSERT_GT(pid, 0);
  EXPECT_EQ(kill(static_cast<pid_t>(pid), 0), 0);  // alive while the session is
  sx_session_free(s);
  EXPECT_NE(kill(static_cast<pid_t>(pid), 0), 0);  // gone (and reaped) after free
}
