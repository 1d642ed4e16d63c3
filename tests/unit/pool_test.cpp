// Warm worker pools (sx_pool, scheduler/pool.h): a session takes a started
// worker; every session gets a process no unit ran in; the pool refills;
// sessions whose worker options differ, or that find the pool empty, start
// their own; a pool freed while its sessions run keeps their workers; bad
// options are refused and a start that fails is reported.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "harness.h"
#include "streamexec.h"

namespace {

using sxt::json;

sx_pool *new_pool(unsigned py, unsigned js, unsigned cpp, int adaptive = 0, const sx_options *workers = nullptr) {
  sx_pool_options po;
  sx_pool_options_init(&po);
  po.ready[SX_LANG_PYTHON] = py;
  po.ready[SX_LANG_JAVASCRIPT] = js;
  po.ready[SX_LANG_CPP] = cpp;
  po.adaptive = adaptive;
  po.workers = workers;
  sx_pool *p = nullptr;
  EXPECT_EQ(sx_pool_new(&po, &p), SX_OK) << sx_last_error();
  return p;
}

sx_pool_stats stats(sx_pool *p) {
  sx_pool_stats st{};
  st.struct_size = sizeof st;
  EXPECT_EQ(sx_pool_stats_get(p, &st), SX_OK);
  return st;
}

sx_options raw(sx_lang l, sx_pool *pool) {
  sx_options o = sxt::default_options();
  o.mode = SX_MODE_RAW;
  o.lang = l;
  o.pool = pool;
  return o;
}

// The identity of the worker that runs a unit: its PID namespace's inode and
// its start time (clock ticks since boot), as "ns/start".
const std::string kPyIdentity = std::string("print(") + sxt::kPyWorkerId + ", " + sxt::kPyStartTime + ", sep='/')\n";

TEST(Pool, SessionTakesAReadyWorkerAndThePoolRefills) {
  sx_pool *p = new_pool(1, 0, 0);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK) << stats(p).last_error;
  EXPECT_EQ(stats(p).ready[SX_LANG_PYTHON], 1u);
  auto t = sxt::run_text(raw(SX_LANG_PYTHON, p), "print(6 * 7)\n");
  EXPECT_EQ(t.status_of(0), "ok");
  EXPECT_EQ(t.stdout_of(0), "42\n");
  sx_pool_stats st = stats(p);
  EXPECT_EQ(st.taken[SX_LANG_PYTHON], 1u);
  EXPECT_EQ(st.empty[SX_LANG_PYTHON], 0u);
  // A replacement is started at once.
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  st = stats(p);
  EXPECT_EQ(st.started[SX_LANG_PYTHON], 2u);
  EXPECT_EQ(st.ready[SX_LANG_PYTHON], 1u);
  sx_pool_free(p);
}

TEST(Pool, EverySessionGetsAFreshProcess) {
  sx_pool *p = new_pool(2, 0, 0);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  auto first = sxt::run_text(raw(SX_LANG_PYTHON, p), "secret = 42\nimport sys; sys.modules['planted'] = 1\n" + kPyIdentity);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  auto second = sxt::run_text(raw(SX_LANG_PYTHON, p), "print('secret' in globals(), 'planted' in __import__('sys').modules)\n" + kPyIdentity);
  EXPECT_EQ(second.stdout_of(0), "False False\n");
  std::string a = first.stdout_of(2), b = second.stdout_of(1);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b) << "two sessions ran in the same worker process";
  EXPECT_EQ(stats(p).taken[SX_LANG_PYTHON], 2u);
  sx_pool_free(p);
}

TEST(Pool, WorkerOptionsThatDifferStartTheirOwn) {
  sx_pool *p = new_pool(1, 0, 0);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  sx_options o = raw(SX_LANG_PYTHON, p);
  o.worker_memory_bytes = 2048ull << 20;
  const char *env[] = {"GREETING=hello", nullptr};
  o.env = env;
  auto t = sxt::run_text(o, "import os\nprint(os.environ.get('GREETING'))\n");
  EXPECT_EQ(t.stdout_of(1), "hello\n");  // its own options, not the pool's
  sx_pool_stats st = stats(p);
  EXPECT_EQ(st.mismatch[SX_LANG_PYTHON], 1u);
  EXPECT_EQ(st.taken[SX_LANG_PYTHON], 0u);
  EXPECT_EQ(st.ready[SX_LANG_PYTHON], 1u);
  sx_pool_free(p);
}

TEST(Pool, PoolWorkersHaveThePoolsOptions) {
  sx_options w = sxt::default_options();
  const char *env[] = {"GREETING=pooled", nullptr};
  w.env = env;
  sx_pool *p = new_pool(1, 0, 0, 0, &w);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  sx_options o = raw(SX_LANG_PYTHON, p);
  o.env = env;  // the same options: takes the pooled worker
  auto t = sxt::run_text(o, "import os\nprint(os.environ.get('GREETING'))\n");
  EXPECT_EQ(t.stdout_of(1), "pooled\n");
  EXPECT_EQ(stats(p).taken[SX_LANG_PYTHON], 1u);
  sx_pool_free(p);
}

TEST(Pool, EmptyPoolStartsItsOwn) {
  sx_pool *p = new_pool(0, 0, 0);
  auto t = sxt::run_text(raw(SX_LANG_PYTHON, p), "print(1)\n");
  EXPECT_EQ(t.stdout_of(0), "1\n");
  sx_pool_stats st = stats(p);
  EXPECT_EQ(st.empty[SX_LANG_PYTHON], 1u);
  EXPECT_EQ(st.started[SX_LANG_PYTHON], 0u);  // ready = 0: it never starts one
  sx_pool_free(p);
}

TEST(Pool, AdaptiveStartsALanguageAfterItsFirstSession) {
  sx_pool *p = new_pool(1, 1, 1, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sx_pool_stats st = stats(p);
  EXPECT_EQ(st.started[0] + st.started[1] + st.started[2], 0u);  // nothing asked yet
  auto t = sxt::run_text(raw(SX_LANG_PYTHON, p), "print(1)\n");
  EXPECT_EQ(t.stdout_of(0), "1\n");
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);  // "full": Python 1, the others 0
  st = stats(p);
  EXPECT_EQ(st.empty[SX_LANG_PYTHON], 1u);
  EXPECT_EQ(st.ready[SX_LANG_PYTHON], 1u);
  EXPECT_EQ(st.started[SX_LANG_JAVASCRIPT] + st.started[SX_LANG_CPP], 0u);
  auto t2 = sxt::run_text(raw(SX_LANG_PYTHON, p), "print(2)\n");
  EXPECT_EQ(t2.stdout_of(0), "2\n");
  EXPECT_EQ(stats(p).taken[SX_LANG_PYTHON], 1u);
  sx_pool_free(p);
}

TEST(Pool, EachLanguageRunsFromThePool) {
  sx_pool *p = new_pool(1, 1, 1);
  ASSERT_EQ(sx_pool_wait_ready(p, 120000), SX_OK) << stats(p).last_error;
  std::string md =
      "```python\nprint('py')\n```\n```javascript\nconsole.log('js')\n```\n"
      "```cpp\n#include <iostream>\nint main() { std::cout << \"cpp\" << std::endl; }\n```\n";
  sx_options o = sxt::default_options();
  o.pool = p;
  auto t = sxt::run_text(o, md);
  // Languages run side by side: each one's output, in any order.
  std::string out = t.all_stdout();
  for (const char *want : {"py\n", "js\n", "cpp\n"}) EXPECT_NE(out.find(want), std::string::npos) << out;
  EXPECT_EQ(out.size(), 10u) << out;
  sx_pool_stats st = stats(p);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(st.taken[l], 1u) << sx_lang_name(static_cast<sx_lang>(l));
  sx_pool_free(p);
}

TEST(Pool, FreedWhileASessionRunsKeepsItsWorker) {
  sx_pool *p = new_pool(1, 0, 0);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  sx_options o = raw(SX_LANG_PYTHON, p);
  sx_session *s = nullptr;
  ASSERT_EQ(sx_session_new(&o, &s), SX_OK);
  const std::string a = "x = 5\n";
  sx_feed(s, a.data(), a.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sx_pool_free(p);  // the session still holds the pool: its worker lives on
  const std::string b = "import time; time.sleep(0.2); print(x * 2)\n";
  sx_feed(s, b.data(), b.size());
  sx_finish(s);
  std::string out;
  sx_event *ev;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    if (ev->kind == SX_EVENT_OUTPUT) out.append(ev->text, ev->text_len);
    if (ev->kind == SX_EVENT_WORKER_RESTARTED) ADD_FAILURE() << "worker lost: " << ev->text;
    sx_event_free(ev);
  }
  EXPECT_EQ(out, "10\n");
  sx_session_free(s);
}

TEST(Pool, BadOptionsAreRefused) {
  sx_pool *p = nullptr;
  EXPECT_EQ(sx_pool_new(nullptr, &p), SX_EINVAL);
  sx_pool_options po;
  sx_pool_options_init(&po);
  EXPECT_EQ(sx_pool_new(&po, nullptr), SX_EINVAL);
  po.ready[0] = 5000;
  EXPECT_EQ(sx_pool_new(&po, &p), SX_EINVAL);
  EXPECT_NE(std::string(sx_last_error()).find("ready"), std::string::npos) << sx_last_error();
  sx_pool_options_init(&po);
  sx_options w = sxt::default_options();
  const char *dirs[] = {"/no/such/directory", nullptr};
  w.allow_write = dirs;
  po.workers = &w;
  EXPECT_EQ(sx_pool_new(&po, &p), SX_EINVAL);
  EXPECT_NE(std::string(sx_last_error()).find("/no/such/directory"), std::string::npos) << sx_last_error();
  po.struct_size = 3;
  EXPECT_EQ(sx_pool_new(&po, &p), SX_EINVAL);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(sx_pool_wait_ready(nullptr, 0), SX_EINVAL);
  sx_pool_free(nullptr);
}

TEST(Pool, AStartThatFailsIsReported) {
  sx_options w = sxt::default_options();
  w.worker_dir = "/nonexistent-workers";
  sx_pool *p = new_pool(1, 0, 0, 0, &w);
  EXPECT_EQ(sx_pool_wait_ready(p, 500), SX_AGAIN);
  sx_pool_stats st = stats(p);
  EXPECT_GE(st.failed[SX_LANG_PYTHON], 1u);
  EXPECT_NE(std::string(st.last_error).find("/nonexistent-workers/streamexec-worker-python"), std::string::npos)
      << st.last_error;
  sx_pool_free(p);
}

TEST(Pool, ManySessionsAtOnceShareOnePool) {
  sx_pool *p = new_pool(4, 0, 0);
  ASSERT_EQ(sx_pool_wait_ready(p, 60000), SX_OK);
  std::vector<std::thread> threads;
  std::vector<std::string> outs(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { outs[i] = sxt::run_text(raw(SX_LANG_PYTHON, p), "print(" + std::to_string(i) + " ** 2)\n").stdout_of(0); });
  for (auto &t : threads) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(outs[i], std::to_string(i * i) + "\n");
  sx_pool_stats st = stats(p);
  EXPECT_EQ(st.taken[SX_LANG_PYTHON] + st.empty[SX_LANG_PYTHON], 8u);
  EXPECT_GE(st.taken[SX_LANG_PYTHON], 4u);
  sx_pool_free(p);
}

}  // namespace
