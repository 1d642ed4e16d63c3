// streamexec-bench --interrupt: sx_interrupt -> the unit's result, per
// language (issue 16: < 100 ms, median of 20). Python: KeyboardInterrupt in
// a `while True: pass`; JavaScript: TerminateExecution of `while (true) {}`;
// C++: the program's process running `main() { for (;;) {} }` killed. Each
// run is one answer of the same session (the worker is warm and must
// survive); after the runs, a last answer reads a variable set before them.
#include "tools/bench/interrupt.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bench/collect.h"

namespace sx::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct Watch {
  std::mutex mu;
  std::condition_variable cv;
  long started = 0, done = 0, restarted = 0;
  std::string last_status, out;
  clock_type::time_point t_done;
};

void on_event(void *user, const sx_event *ev) {
  auto *w = static_cast<Watch *>(user);
  std::lock_guard<std::mutex> lk(w->mu);
  if (ev->kind == SX_EVENT_UNIT_STARTED) ++w->started;
  if (ev->kind == SX_EVENT_UNIT_DONE) {
    ++w->done;
    w->last_status = sx_status_name(ev->status);
    w->t_done = clock_type::now();
  }
  if (ev->kind == SX_EVENT_WORKER_RESTARTED) ++w->restarted;
  if (ev->kind == SX_EVENT_OUTPUT) w->out += ev->text;
  w->cv.notify_all();
}

struct Case {
  sx_lang lang;
  const char *setup, *loop, *check;
};

}  // namespace

int interrupt_bench(int runs, const std::string &json_out) {
  const Case cases[] = {
      {SX_LANG_PYTHON, "```python\nx = 7\n```\n", "```python\nwhile True:\n    pass\n```\n", "```python\nprint(x)\n```\n"},
      {SX_LANG_JAVASCRIPT, "```js\nvar x = 7;\n```\n", "```js\nwhile (true) {}\n```\n",
       "```js\nconsole.log(x);\n```\n"},
      {SX_LANG_CPP, "```cpp\n#include <cstdio>\nint x = 7;\n```\n", "```cpp\nint main() {\n  for (;;) {\n  }\n}\n```\n",
       "```cpp\nstd::printf(\"%d\\n\", x);\n```\n"},
  };
  nlohmann::json out = nlohmann::json::object();
  fmt::print("sx_interrupt -> the interrupted unit's result, {} runs per language (one warm session each)\n\n", runs);
  fmt::print("{:<11} {:>11} {:>9} {:>9} {:>10} {:>9}\n", "language", "median (ms)", "p90 (ms)", "max (ms)",
             "restarts", "state");
  int rc = 0;
  for (const Case &c : cases) {
    Watch w;
    sx_options o;
    sx_options_init(&o);
    o.prestart = 1u << c.lang;
    o.on_event = on_event;
    o.user = &w;
    o.queue_events = 0;
    sx_session *s = nullptr;
    if (sx_session_new(&o, &s) != SX_OK) {
      fmt::print(stderr, "interrupt bench: {}\n", sx_last_error());
      return 1;
    }
    auto feed = [&](const char *text) { sx_feed(s, text, std::strlen(text)); };
    feed(c.setup);
    sx_answer_end(s);
    std::vector<double> ms;
    bool all_interrupted = true;
    for (int i = 0; i < runs; ++i) {
      long started0, done0;
      {
        std::lock_guard<std::mutex> lk(w.mu);
        started0 = w.started;
        done0 = w.done;
      }
      feed(c.loop);
      {
        std::unique_lock<std::mutex> lk(w.mu);
        w.cv.wait_for(lk, std::chrono::seconds(60), [&] { return w.started > started0; });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));  // well inside the loop
      auto t0 = clock_type::now();
      sx_interrupt(s);
      {
        std::unique_lock<std::mutex> lk(w.mu);
        w.cv.wait_for(lk, std::chrono::seconds(60), [&] { return w.done > done0; });
        ms.push_back(std::chrono::duration<double, std::milli>(w.t_done - t0).count());
        if (w.last_status != "interrupted") all_interrupted = false;
      }
      sx_answer_end(s);
    }
    {
      std::lock_guard<std::mutex> lk(w.mu);
      w.out.clear();
    }
    feed(c.check);
    sx_answer_end(s);
    sx_finish(s);
    sx_session_free(s);
    bool kept = w.out == "7\n";
    if (!kept || !all_interrupted) rc = 1;
    fmt::print("{:<11} {:>11.1f} {:>9.1f} {:>9.1f} {:>10} {:>9}\n", sx_lang_name(c.lang), quantile(ms, 0.5),
               quantile(ms, 0.9), quantile(ms, 1.0), w.restarted, kept ? "kept" : "LOST");
    if (!all_interrupted) fmt::print("  ! a unit did not end as interrupted\n");
    out[sx_lang_name(c.lang)] = {{"median_ms", quantile(ms, 0.5)}, {"p90_ms", quantile(ms, 0.9)},
                                 {"max_ms", quantile(ms, 1.0)}, {"restarts", w.restarted}, {"state_kept", kept},
                                 {"samples_ms", ms}};
  }
  if (!json_out.empty()) std::ofstream(json_out) << out.dump(2) << "\n";
  return rc;
}

}  // namespace sx::bench
