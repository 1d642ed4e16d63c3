// The agent-loop API (issue 16, README "C API"): answers within a session
// (state kept, lines and SX_STOP per answer), sx_answer_cut (the unit being
// written is `cut`, never a syntax error; queued units skipped; open
// programs end as cut ones), sx_interrupt in each language (and what
// survives), the typed fields of sx_event.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

// A session driven answer by answer; every event is kept, parsed, and the
// typed fields of UNIT_DONE events are checked against the JSON made from
// the same event.
class Agent {
 public:
  explicit Agent(sx_options o = sxt::default_options()) {
    o.prestart = (1u << SX_LANG_PYTHON);
    o.on_event = &Agent::on_event;
    o.user = this;
    o.queue_events = 0;
    EXPECT_EQ(sx_session_new(&o, &s_), SX_OK) << sx_last_error();
  }
  ~Agent() { sx_session_free(s_); }
  int feed(const std::string &text) { return sx_feed(s_, text.data(), text.size()); }
  int end() { return sx_answer_end(s_); }
  int cut() { return sx_answer_cut(s_); }
  sx_session *session() { return s_; }

  std::vector<json> events(const std::string &kind, int answer = -1) {
    std::lock_guard<std::mutex> lk(mu_);
    std::vector<json> v;
    for (const auto &e : events_)
      if (e["event"] == kind && (answer < 0 || e["answer"] == answer)) v.push_back(e);
    return v;
  }
  std::string stdout_of(int answer) {
    std::string out;
    for (const auto &e : events("output", answer))
      if (e["stream"] == "stdout") out += e["text"].get<std::string>();
    return out;
  }
  // Waits until n events of a kind have come, up to 30 s.
  bool wait_for(const std::string &kind, std::size_t n) {
    auto until = clock_type::now() + std::chrono::seconds(30);
    while (clock_type::now() < until) {
      if (events(kind).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
  bool wait_started(std::size_t n = 1) { return wait_for("unit_started", n); }
  json done_of(long unit) {
    for (const auto &e : events("unit_done"))
      if (e["unit_id"] == unit) return e;
    return json::object();
  }

 private:
  static void on_event(void *user, const sx_event *ev) {
    auto *self = static_cast<Agent *>(user);
    json j = json::parse(std::string(ev->json, ev->json_len));
    // The typed fields say what the JSON says.
    EXPECT_EQ(ev->struct_size, sizeof(sx_event));
    EXPECT_EQ(ev->answer, j["answer"].get<int>());
    if (ev->kind == SX_EVENT_UNIT_DONE) {
      EXPECT_EQ(sx_status_name(ev->status), j["status"].get<std::string>());
      if (j.contains("error")) {
        EXPECT_EQ(ev->error_type, j["error"]["type"].get<std::string>());
        EXPECT_EQ(ev->error_message, j["error"]["message"].get<std::string>());
        EXPECT_EQ(ev->error_line, j["error"]["line"].get<unsigned>());
      } else {
        EXPECT_STREQ(ev->error_type, "");
      }
      EXPECT_EQ(ev->has_value != 0, j.contains("value"));
      if (ev->has_value) {
        EXPECT_EQ(ev->value_repr, j["value"].get<std::string>());
      }
      EXPECT_EQ(ev->has_exit_code != 0, j.contains("exit_code"));
      if (ev->status == SX_STATUS_CUT) {
        EXPECT_EQ(std::string(ev->code, ev->code_len), j["code"].get<std::string>());
      }
    }
    if (ev->kind == SX_EVENT_UNIT_CLOSED) {
      EXPECT_EQ(std::string(ev->code, ev->code_len), j["unit"]["code"].get<std::string>());
      EXPECT_EQ(ev->line, j["unit"]["line"].get<unsigned>());
    }
    std::lock_guard<std::mutex> lk(self->mu_);
    self->events_.push_back(std::move(j));
  }

  sx_session *s_ = nullptr;
  std::mutex mu_;
  std::vector<json> events_;
};

// ------------------------------------------------------------------ answers

TEST(AgentApi, StateOfEveryLanguageIsKeptAcrossAnswers) {
  Agent a;
  a.feed("First:\n```python\nx = 41\n```\n```js\nlet z = 2;\n```\n```cpp\nint k = 5;\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  a.feed("Then:\n```python\nprint(x + 1)\n```\n```js\nconsole.log(z + 1);\n```\n"
         "```cpp\n#include <cstdio>\nstd::printf(\"%d\\n\", k + 1);\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  sx_finish(a.session());
  // (Programs of different languages run concurrently: compare per language.)
  std::map<std::string, std::string> by_lang;
  for (const auto &e : a.events("output", 1)) by_lang[e["lang"]] += e["text"].get<std::string>();
  EXPECT_EQ(by_lang["python"], "42\n");
  EXPECT_EQ(by_lang["javascript"], "3\n");
  EXPECT_EQ(by_lang["cpp"], "6\n");
  auto answers = a.events("answer_done");
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["answer"], 0);
  EXPECT_EQ(answers[1]["answer"], 1);
  EXPECT_EQ(answers[1]["cut"], false);
  EXPECT_EQ(answers[1]["report"]["units"], 4);
  // Lines count from each answer's own start.
  auto closed = a.events("unit_closed", 1);
  ASSERT_FALSE(closed.empty());
  EXPECT_EQ(closed[0]["unit"]["line"], 3);
  // One session_done, after the last answer_done.
  EXPECT_EQ(a.events("session_done").size(), 1u);
  EXPECT_EQ(a.events("answer_done").size(), 2u);  // sx_finish after an ended answer adds none
}

TEST(AgentApi, StopIsPerAnswer) {
  Agent a;
  a.feed("```python\n1 / 0\n```\n");
  EXPECT_EQ(a.end(), SX_STOP);
  a.feed("```python\nprint('fine')\n```\n");
  EXPECT_EQ(a.end(), SX_OK) << "the next answer starts without a stop";
  EXPECT_EQ(a.stdout_of(1), "fine\n");
  EXPECT_EQ(sx_finish(a.session()), SX_OK);
}

// ---------------------------------------------------------------------- cut

TEST(AgentApi, TheUnitBeingWrittenIsCutNotASyntaxError) {
  Agent a;
  a.feed("```python\nprint(1)\n");
  ASSERT_TRUE(a.wait_for("unit_done", 1));
  a.feed("print('ab");
  EXPECT_EQ(a.cut(), SX_OK) << "a cut is not a failure";
  auto done = a.events("unit_done", 0);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0]["status"], "ok");
  EXPECT_EQ(done[1]["status"], "cut");
  EXPECT_EQ(done[1]["code"], "print('ab");
  EXPECT_EQ(a.stdout_of(0), "1\n");
  EXPECT_TRUE(a.events("stop_advised").empty());
  auto ans = a.events("answer_done");
  ASSERT_EQ(ans.size(), 1u);
  EXPECT_EQ(ans[0]["cut"], true);
  EXPECT_EQ(ans[0]["report"]["cut"], 1);
  EXPECT_EQ(ans[0]["report"]["errors"], 0);
  auto prog = a.events("program_done");
  ASSERT_EQ(prog.size(), 1u);
  EXPECT_EQ(prog[0]["status"], "cut");
  for (const auto &e : a.events("unit_done")) EXPECT_NE(e["status"], "syntax_error") << e.dump();
}

TEST(AgentApi, ACutCppProgramDoesNotRunMainAndKeepsNothing) {
  Agent a;
  a.feed("```cpp\n#include <cstdio>\nint twice(int v) { return 2 * v; }\nint main() {\n  std::printf(\"%d\\n\", twice(1));\n");
  EXPECT_EQ(a.cut(), SX_OK);
  EXPECT_EQ(a.stdout_of(0), "");
  auto prog = a.events("program_done", 0);
  ASSERT_EQ(prog.size(), 1u);
  EXPECT_EQ(prog[0]["status"], "cut") << prog[0].dump();
  // The repaired program defines the same function again: nothing of the
  // cut one was kept (a kept `twice` would be a redefinition error).
  a.feed("```cpp\n#include <cstdio>\nint twice(int v) { return 2 * v; }\nint main() {\n  std::printf(\"%d\\n\", "
         "twice(21));\n}\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  EXPECT_EQ(a.stdout_of(1), "42\n");
}

TEST(AgentApi, ACutJavaScriptProgramRunsNoEventLoop) {
  Agent a;
  a.feed("```js\nsetTimeout(() => console.log('later'), 20);\nconsole.log('now');\n");
  ASSERT_TRUE(a.wait_for("unit_done", 2));
  a.feed("console.lo");
  EXPECT_EQ(a.cut(), SX_OK);
  a.feed("```js\nsetTimeout(() => console.log('next'), 1);\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sx_finish(a.session());
  EXPECT_EQ(a.stdout_of(0), "now\n");
  EXPECT_EQ(a.stdout_of(1), "next\n") << "the cut program's timer never fires";
}

TEST(AgentApi, QueuedUnitsAreSkippedWhenTheAnswerIsCut) {
  Agent a;
  a.feed("```python\nimport time\ntime.sleep(0.4)\n");
  ASSERT_TRUE(a.wait_started(2));  // the sleep runs
  a.feed("print('a')\nprint('b')\nprint('c");
  EXPECT_EQ(a.cut(), SX_OK);
  // Units 0-1: import, sleep; 2-3: queued prints; 4: being written.
  EXPECT_EQ(a.events("unit_done", 0).size(), 5u);
  EXPECT_EQ(a.done_of(1)["status"], "ok");  // the sleep, already running
  EXPECT_EQ(a.done_of(2)["status"], "skipped");
  EXPECT_NE(a.done_of(2).value("note", "").find("cut"), std::string::npos) << a.done_of(2).dump();
  EXPECT_EQ(a.done_of(3)["status"], "skipped");
  EXPECT_EQ(a.done_of(4)["status"], "cut");
  EXPECT_EQ(a.stdout_of(0), "");
}

// ------------------------------------------------------- follow-on dispatch
// Units that close while the worker runs a batch are sent behind it at once
// (no round trip after the batch's last unit); the rules are those of one
// batch: stop, cut and the program's end apply to them as to queued units.

// True if unit `later` was sent to the worker before unit `first` was done.
bool sent_behind(Agent &a, long first, long later) {
  json f = a.done_of(first), l = a.done_of(later);
  return l.contains("t_dispatched_ms") && f.contains("t_finished_ms") &&
         l["t_dispatched_ms"].get<double>() < f["t_finished_ms"].get<double>();
}

// Feeds `first` (a unit that runs a while), and once it runs, the rest of
// the answer; ends the answer.
void feed_while_running(Agent &a, const std::string &first, const std::string &rest) {
  a.feed(first);
  ASSERT_TRUE(a.wait_started(1));
  a.feed(rest);
  a.end();
}

TEST(AgentApi, UnitsThatCloseWhileOneRunsAreSentBehindIt) {
  for (const char *fence : {"python", "js"}) {
    SCOPED_TRACE(fence);
    Agent a;
    bool py = std::string(fence) == "python";
    feed_while_running(
        a,
        std::string("```") + fence + "\n" +
            (py ? "import time; time.sleep(0.3)\n" : "{ const t = Date.now(); while (Date.now() - t < 300) {} }\n"),
        py ? "x = 1\nprint('after', x)\n```\n" : "let x = 1;\nconsole.log('after', x);\n```\n");
    EXPECT_EQ(a.done_of(1)["status"], "ok");
    EXPECT_EQ(a.done_of(2)["status"], "ok");
    EXPECT_EQ(a.stdout_of(0), "after 1\n");
    EXPECT_TRUE(sent_behind(a, 0, 1)) << a.done_of(0).dump() << a.done_of(1).dump();
    EXPECT_TRUE(sent_behind(a, 0, 2));
  }
}

// Under stop the worker skips it (it was sent before the failure was known);
// under continue it runs.
TEST(AgentApi, AUnitSentBehindOneThatFailsFollowsThePolicy) {
  for (sx_error_policy policy : {SX_POLICY_STOP, SX_POLICY_CONTINUE}) {
    SCOPED_TRACE(policy == SX_POLICY_STOP ? "stop" : "continue");
    sx_options o = sxt::default_options();
    o.on_error = policy;
    Agent a(o);
    feed_while_running(a, "```python\nimport time; time.sleep(0.3); raise ValueError('no')\n", "print('after')\n```\n");
    EXPECT_EQ(a.done_of(0)["status"], "error");
    ASSERT_TRUE(sent_behind(a, 0, 1)) << "the test needs the second unit sent behind the first";
    if (policy == SX_POLICY_STOP) {
      EXPECT_EQ(a.done_of(1)["status"], "skipped");
      EXPECT_EQ(a.done_of(1).value("note", ""), "skipped: an earlier python unit (0) failed") << a.done_of(1).dump();
      EXPECT_EQ(a.stdout_of(0), "");
    } else {
      EXPECT_EQ(a.done_of(1)["status"], "ok");
      EXPECT_EQ(a.stdout_of(0), "after\n");
    }
  }
}

TEST(AgentApi, UnitsSentBehindOneAreSkippedWhenTheAnswerIsCut) {
  Agent a;
  a.feed("```python\nimport time; time.sleep(0.4)\n");
  ASSERT_TRUE(a.wait_started(1));
  a.feed("print('a')\nprint('b')\n");
  ASSERT_TRUE(a.wait_for("unit_closed", 3));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // sent behind the sleep
  EXPECT_EQ(a.cut(), SX_OK);
  EXPECT_EQ(a.done_of(0)["status"], "ok");
  for (long u : {1, 2}) {
    EXPECT_TRUE(sent_behind(a, 0, u)) << a.done_of(u).dump();
    EXPECT_EQ(a.done_of(u)["status"], "skipped");
    EXPECT_EQ(a.done_of(u).value("note", ""), "not run: the answer was cut before this unit started");
  }
  EXPECT_EQ(a.stdout_of(0), "");
  // The worker goes on: the next answer runs in it.
  a.feed("```python\nprint('next')\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  EXPECT_EQ(a.stdout_of(1), "next\n");
}

TEST(AgentApi, NoUnitIsSentBehindWithBatchingOff) {
  sx_options o = sxt::default_options();
  o.batching = 0;
  Agent a(o);
  feed_while_running(a, "```python\nimport time; time.sleep(0.2)\n", "print('after')\n```\n");
  EXPECT_EQ(a.done_of(1)["status"], "ok");
  EXPECT_FALSE(sent_behind(a, 0, 1));
}

// ---------------------------------------------------------------- interrupt

struct InterruptCase {
  sx_lang lang;
  const char *name;
  const char *setup;      // a first answer: state to survive
  const char *loop;       // an answer whose unit never ends
  const char *check;      // an answer that uses the state
  const char *expect;     // its output
};
void PrintTo(const InterruptCase &c, std::ostream *os) { *os << c.name; }

class Interrupt : public ::testing::TestWithParam<InterruptCase> {};

TEST_P(Interrupt, EndsTheRunningUnitAndTheStateSurvives) {
  const InterruptCase &c = GetParam();
  Agent a;
  a.feed(c.setup);
  ASSERT_EQ(a.end(), SX_OK);
  std::size_t started = a.events("unit_started").size();
  a.feed(c.loop);
  ASSERT_TRUE(a.wait_started(started + 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // well inside the loop
  auto t0 = clock_type::now();
  EXPECT_EQ(sx_interrupt(a.session()), SX_OK);
  double call_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  EXPECT_EQ(a.end(), SX_STOP);
  auto done = a.events("unit_done", 1);
  ASSERT_FALSE(done.empty());
  json last = done.back();
  // C++: the loop is main's, reported on the unit that defines main.
  EXPECT_EQ(last["status"], "interrupted") << last.dump();
  EXPECT_TRUE(a.events("worker_restarted").empty()) << "the worker survives the interrupt";
  EXPECT_LT(call_ms, 50) << "sx_interrupt returns at once";
  a.feed(c.check);
  EXPECT_EQ(a.end(), SX_OK);
  EXPECT_EQ(a.stdout_of(2), c.expect);
  sx_finish(a.session());
}

INSTANTIATE_TEST_SUITE_P(
    AgentApi, Interrupt,
    ::testing::Values(InterruptCase{SX_LANG_PYTHON, "python", "```python\nx = 7\n```\n",
                                    "```python\nwhile True:\n    pass\n```\n", "```python\nprint(x)\n```\n", "7\n"},
                      InterruptCase{SX_LANG_JAVASCRIPT, "javascript", "```js\nvar x = 7;\n```\n",
                                    "```js\nwhile (true) {}\n```\n", "```js\nconsole.log(x);\n```\n", "7\n"},
                      InterruptCase{SX_LANG_CPP, "cpp", "```cpp\n#include <cstdio>\nint x = 7;\n```\n",
                                    "```cpp\nint main() {\n  for (;;) {\n  }\n}\n```\n",
                                    "```cpp\nstd::printf(\"%d\\n\", x);\n```\n", "7\n"}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(AgentApi, InterruptWithNothingRunningChangesNothing) {
  Agent a;
  EXPECT_EQ(sx_interrupt(a.session()), SX_OK);
  a.feed("```python\nprint('ok')\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  EXPECT_EQ(sx_interrupt(a.session()), SX_OK);
  a.feed("```python\nprint('still ok')\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  EXPECT_EQ(a.stdout_of(0) + a.stdout_of(1), "ok\nstill ok\n");
}

TEST(AgentApi, AUnitThatIgnoresTheInterruptIsKilled) {
  sx_options o = sxt::default_options();
  Agent a(o);
  a.feed("```python\nwhile True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n"
         "        pass\n```\n");
  ASSERT_TRUE(a.wait_started());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sx_interrupt(a.session());
  EXPECT_EQ(a.end(), SX_STOP);
  auto done = a.events("unit_done", 0);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0]["status"], "interrupted");
  EXPECT_NE(done[0]["error"]["message"].get<std::string>().find("worker killed"), std::string::npos);
  EXPECT_EQ(a.events("worker_restarted").size(), 1u);
  a.feed("```python\nprint('a new worker')\n```\n");
  EXPECT_EQ(a.end(), SX_OK);
  EXPECT_EQ(a.stdout_of(1), "a new worker\n");
}

// ------------------------------------------------------------ rich output

// Typed MIME bundles of the display events and values, by type.
struct Rich {
  std::vector<std::map<std::string, std::string>> displays;
  std::vector<std::map<std::string, std::string>> values;
  std::vector<std::int64_t> display_units;
};
void collect_rich(void *user, const sx_event *ev) {
  auto *r = static_cast<Rich *>(user);
  if (ev->n_mime == 0) return;
  std::map<std::string, std::string> b;
  for (std::size_t i = 0; i < ev->n_mime; ++i) b[ev->mime_types[i]] = std::string(ev->mime_data[i], ev->mime_len[i]);
  if (ev->kind == SX_EVENT_DISPLAY) {
    r->displays.push_back(std::move(b));
    r->display_units.push_back(ev->unit_id);
  } else if (ev->kind == SX_EVENT_UNIT_DONE) {
    r->values.push_back(std::move(b));
  }
}

// One answer in a session of its own; its display events and values' bundles.
Rich run_rich(const std::string &answer) {
  Rich r;
  sx_options o = sxt::default_options();
  o.on_event = collect_rich;
  o.user = &r;
  o.queue_events = 0;
  o.unit_timeout_s = 120;
  sx_session *s = nullptr;
  EXPECT_EQ(sx_session_new(&o, &s), SX_OK);
  if (!s) return r;
  sx_feed(s, answer.data(), answer.size());
  EXPECT_EQ(sx_finish(s), SX_OK);
  sx_session_free(s);
  return r;
}

TEST(AgentApi, MatplotlibFiguresArriveAsPng) {
  // Unit 3 shows the first figure; the second is left open at the end.
  std::string answer =
      "```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.title('squares')\n"
      "plt.show()\nplt.figure()\nplt.bar([1, 2], [3, 4])\n```\n";
  Rich r = run_rich(answer);
  ASSERT_EQ(r.displays.size(), 2u);
  EXPECT_EQ(r.display_units[0], 3);
  for (auto &d : r.displays) {
    ASSERT_TRUE(d.count("image/png"));
    EXPECT_EQ(d["image/png"].rfind("iVBORw0KGgo", 0), 0u) << "base64 of the PNG signature";
    EXPECT_GT(d["image/png"].size(), 2000u);
    EXPECT_EQ(d["text/plain"].rfind("<Figure size", 0), 0u) << d["text/plain"];
  }
}

TEST(AgentApi, AProgramThatChoosesAggDisplaysNothing) {
  std::string answer =
      "```python\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\n"
      "plt.savefig('out.png')\nplt.show()\n```\n";
  Rich r = run_rich(answer);
  EXPECT_TRUE(r.displays.empty()) << "as natively: Agg shows nothing";
}

TEST(AgentApi, AValueWithHtmlCarriesIt) {
  std::string answer =
      "```python\nclass T:\n    def _repr_html_(self):\n        return '<b>t</b>'\n    def __repr__(self):\n"
      "        return 'T()'\nT()\nimport pandas as pd\npd.DataFrame({'a': [1, 2]})\n```\n";
  Rich r = run_rich(answer);
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.values[0]["text/html"], "<b>t</b>");
  EXPECT_NE(r.values[1]["text/html"].find("<table"), std::string::npos);
}

// -------------------------------------------------------------- misuse

TEST(AgentApi, AnswerCallsAfterFinishAreMisuse) {
  Agent a;
  a.feed("```python\nx = 1\n```\n");
  EXPECT_EQ(sx_finish(a.session()), SX_OK);
  EXPECT_EQ(sx_answer_end(a.session()), SX_EMISUSE);
  EXPECT_EQ(sx_answer_cut(a.session()), SX_EMISUSE);
  EXPECT_EQ(sx_interrupt(a.session()), SX_OK);  // nothing runs: no effect
}

}  // namespace
