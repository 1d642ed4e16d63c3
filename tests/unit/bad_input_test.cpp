// Bad input through the C API (issue 8, item 3): invalid UTF-8, NUL bytes, a
// fence never closed, a 10 MB line, 10 000-deep nesting, a long stream fed one
// byte per sx_feed call. Each gives a clear error or a correct result — never
// a crash, a hang, quadratic time or memory that grows with the part of the
// stream already closed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <pthread.h>
#include <string>

#include "harness.h"

using sxt::json;
using sxt::Trace;

namespace {

sx_options markdown(bool execute = true) {
  sx_options o = sxt::default_options();
  o.on_error = SX_POLICY_CONTINUE;
  o.execute = execute ? 1 : 0;
  o.unit_timeout_s = 20;
  return o;
}

sx_options raw(sx_lang lang, bool execute = true) {
  sx_options o = markdown(execute);
  o.mode = SX_MODE_RAW;
  o.lang = lang;
  return o;
}

// Every run: one session_done, every closed unit has exactly one result.
void expect_complete(const Trace &r) {
  EXPECT_EQ(r.of("session_done").size(), 1u);
  std::map<long, int> results;
  for (const auto &d : r.done()) results[d["unit_id"].get<long>()]++;
  for (const auto &c : r.of("unit_closed")) EXPECT_EQ(results[c["unit"]["id"].get<long>()], 1) << c.dump();
}

// The statuses of all results, in order.
std::vector<std::string> statuses(const Trace &r) {
  std::vector<std::string> v;
  for (const auto &d : r.done()) v.push_back(d["status"]);
  return v;
}

bool failed_clearly(const json &d) {
  std::string st = d["status"];
  return (st == "syntax_error" || st == "error") && d.contains("error") &&
         !d["error"].value("message", "").empty();
}

std::vector<std::string> chunks_of(const std::string &s, std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < s.size(); i += n) v.push_back(s.substr(i, n));
  return v;
}

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// Under ASan freed blocks wait in its quarantine (16 MiB in scripts/sanitize)
// before they are reused, and the quarantine still fills while these tests
// run: a memory bound is this many times looser there. (A leak per byte fed,
// as feed_times_ once was, is 16 bytes per byte: still far out of bounds.)
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kQuarantineSlack = 4;
#else
constexpr std::size_t kQuarantineSlack = 1;
#endif

}  // namespace

// ------------------------------------------------------------ invalid UTF-8

TEST(BadInput, InvalidUtf8InProseIsHarmless) {
  std::string a = "Intro \xff\xfe\xc3 broken \xed\xa0\x80 surrogate\n"
                  "```python\nprint('ok')\n```\n"
                  "\xc0\xaf overlong, and a cut sequence at the end \xe2\x82";
  Trace r = sxt::run_chunks(markdown(), sxt::split_bytes(a));
  expect_complete(r);
  EXPECT_EQ(r.all_stdout(), "ok\n");
  EXPECT_EQ(statuses(r), std::vector<std::string>{"ok"});
  EXPECT_EQ(r.finish_rc, SX_OK);
}

// Invalid bytes in code reach the worker as U+FFFD (the protocol is JSON):
// the unit runs, or fails with a clear error; a later fence runs.
TEST(BadInput, InvalidUtf8InsideCodeOfEachLanguage) {
  std::string a =
      "```python\nprint('a\xff" "b')\n```\n"
      "```javascript\nconsole.log('c\xfe" "d');\n```\n"
      "```cpp\nstd::printf(\"e\xc3" "f\\n\");\n```\n"
      "```python\nprint('later')\n```\n";
  Trace r = sxt::run_chunks(markdown(), sxt::split_random(a, 3));
  expect_complete(r);
  auto d = r.done();
  ASSERT_EQ(d.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_TRUE(d[i]["status"] == "ok" || failed_clearly(d[i])) << d[i].dump();
  EXPECT_EQ(d[3]["status"], "ok");
  EXPECT_NE(r.all_stdout().find("later\n"), std::string::npos);
  // Events are valid JSON (the harness parsed them): the C++ unit ran with
  // U+FFFD for the bad byte (Python and JavaScript: syntax error "invalid UTF-8").
  EXPECT_NE(r.all_stdout().find("e\xef\xbf\xbd" "f"), std::string::npos) << r.all_stdout();
}

TEST(BadInput, InvalidUtf8InAFenceInfoString) {
  std::string a = "```pyth\xffon\nprint('no')\n```\n```python\nprint('yes')\n```\n";
  Trace r = sxt::run_text(markdown(), a);
  expect_complete(r);
  EXPECT_EQ(r.of("fence_skipped").size(), 1u);
  EXPECT_EQ(r.all_stdout(), "yes\n");
}

// ------------------------------------------------------------------ NUL bytes

TEST(BadInput, NulBytesInProseAndFenceInfo) {
  static const char lit[] = "Prose with \0 a NUL.\n```python\0\nprint('skipped')\n```\n";
  std::string a = std::string(lit, sizeof lit - 1) + "```python\nprint('run')\n```\n";
  Trace r = sxt::run_chunks(markdown(), sxt::split_bytes(a));
  expect_complete(r);
  EXPECT_EQ(r.all_stdout(), "run\n");
}

TEST(BadInput, NulBytesInsideCodeOfEachLanguage) {
  static const char lit[] =
      "```python\nx = 'a\0b'\nprint(len(x))\n```\n"
      "```javascript\nconsole.log('a\0b'.length);\n```\n"
      "```cpp\nint nul_x = 1;\0\nstd::printf(\"%d\\n\", nul_x);\n```\n"
      "```python\nprint('later')\n```\n";
  std::string a(lit, sizeof lit - 1);
  Trace r = sxt::run_chunks(markdown(), sxt::split_random(a, 11));
  expect_complete(r);
  for (const auto &d : r.done()) EXPECT_TRUE(d["status"] == "ok" || failed_clearly(d)) << d.dump();
  EXPECT_NE(r.all_stdout().find("later\n"), std::string::npos);
  // Python says what CPython says of such a file, at the line of the NUL
  // (answer line 2); node and clang accept it (a NUL in a string literal,
  // clang: "null character ignored").
  json py = r.done_of(0);
  EXPECT_EQ(py["status"], "syntax_error") << py.dump();
  EXPECT_EQ(py["error"]["type"], "SyntaxError") << py.dump();
  EXPECT_EQ(py["error"].value("message", "").rfind("source code cannot contain null bytes", 0), 0u) << py.dump();
  EXPECT_EQ(py["error"]["line"], 2) << py.dump();
  EXPECT_EQ(r.stdout_of(2), "3\n");  // the JavaScript unit
}

// ------------------------------------------------------- fence never closed

TEST(BadInput, FenceNeverClosedInEachLanguage) {
  struct Case {
    const char *answer;
    const char *out;     // expected stdout ("" = the open unit is an error)
  } cases[] = {
      {"```python\nx = 6\nprint(x * 7)", "42\n"},
      {"```python\nprint('a')\ns = '''never closed", "a\n"},
      {"```javascript\nconst jx = 6;\nconsole.log(jx * 7)", "42\n"},
      {"```javascript\nconsole.log('a');\nfunction f() {", "a\n"},
      {"```cpp\nint cx = 6;\nstd::printf(\"%d\\n\", cx * 7);", "42\n"},
      {"```cpp\nstd::printf(\"a\\n\");\nvoid g() {", "a\n"},
  };
  for (const auto &c : cases) {
    Trace r = sxt::run_chunks(markdown(), sxt::split_random(c.answer, 7));
    expect_complete(r);
    EXPECT_EQ(r.all_stdout(), c.out) << c.answer;
    auto d = r.done();
    ASSERT_FALSE(d.empty()) << c.answer;
    // Results of different units may arrive in any order: take the last unit's.
    std::sort(d.begin(), d.end(), [](const json &x, const json &y) { return x["unit_id"] < y["unit_id"]; });
    // A complete last statement runs; an open one is a clear syntax error.
    if (std::string(c.answer).find("never") != std::string::npos || std::string(c.answer).back() == '{') {
      EXPECT_TRUE(failed_clearly(d.back())) << d.back().dump();
      EXPECT_EQ(r.finish_rc, SX_STOP);
    } else {
      EXPECT_EQ(d.back()["status"], "ok") << d.back().dump();
      EXPECT_EQ(r.finish_rc, SX_OK);
    }
  }
}

// -------------------------------------------------------- 10 MB single line

constexpr std::size_t kTenMb = 10u << 20;

TEST(BadInput, TenMegabyteLineOfProse) {
  std::string a = "Intro " + std::string(kTenMb, 'a') + " end\n```python\nprint('ok')\n```\n" +
                  std::string(kTenMb, 'b') + "```python\nprint('not a fence: same line')\n```";
  auto t0 = std::chrono::steady_clock::now();
  Trace r = sxt::run_chunks(markdown(), chunks_of(a, 4096));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  expect_complete(r);
  EXPECT_EQ(r.all_stdout(), "ok\n");
  EXPECT_LT(s, 30.0);
}

TEST(BadInput, TenMegabyteLineInsideCodeOfEachLanguage) {
  std::string big(kTenMb, 'x');
  std::string a = "```python\ns = '" + big + "'\nprint(len(s))\n```\n" +
                  "```javascript\nconst s = \"" + big + "\";\nconsole.log(s.length);\n```\n" +
                  "```cpp\n// " + big + "\nstd::printf(\"cpp ok\\n\");\n```\n";
  auto t0 = std::chrono::steady_clock::now();
  // 4 KiB chunks: 7 680 feeds; anything that rescans the open unit per feed
  // would cost ~40 GB of scanning here.
  Trace r = sxt::run_chunks(markdown(), chunks_of(a, 4096));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  expect_complete(r);
  for (const auto &d : r.done()) EXPECT_EQ(d["status"], "ok") << d.dump().substr(0, 300);
  // Each language's worker runs its units on its own: compare per unit.
  // (units: s, print, const s, console.log, printf — the C++ comment is no unit)
  ASSERT_EQ(r.units().size(), 5u);
  EXPECT_EQ(r.stdout_of(1), "10485760\n");
  EXPECT_EQ(r.stdout_of(3), "10485760\n");
  EXPECT_EQ(r.stdout_of(4), "cpp ok\n");
  EXPECT_LT(s, 90.0);
  printf("[bad input] 30 MB of 10 MB lines in three languages: %.1f s\n", s);
}

// ------------------------------------------------- 10 000-deep nesting

namespace {
std::string rep(const std::string &s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
constexpr int kDeep = 10000;
}  // namespace

// Deeply nested code: the chunkers' ANTLR confirm passes must not overflow the
// caller's stack. A clear syntax error (or error of the worker) is expected;
// a later fence still runs.
TEST(BadInput, DeepNestingInEachLanguage) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"python", "x = " + rep("(", kDeep) + "1" + rep(")", kDeep) + "\n"},
      {"python", "x = " + rep("[", kDeep) + rep("]", kDeep) + "\n"},
      {"python", "x = " + rep("{", kDeep) + rep("}", kDeep) + "\n"},
      {"python", "x = " + rep("-", kDeep) + "1\n"},
      {"python", "f = " + rep("lambda: ", kDeep) + "1\n"},
      {"python", "x = " + rep("(", kDeep) + "\n"},  // never closed
      {"javascript", "const dx = " + rep("(", kDeep) + "1" + rep(")", kDeep) + ";\n"},
      {"javascript", "const dy = " + rep("[", kDeep) + rep("]", kDeep) + ";\n"},
      {"javascript", rep("{", kDeep) + rep("}", kDeep) + "\n"},
      {"javascript", "const dz = " + rep("- ", kDeep) + "1;\n"},
      {"javascript", "const df = " + rep("() => ", kDeep) + "1;\n"},
      {"javascript", "const dw = " + rep("(", kDeep) + "\n"},
      {"cpp", "int dx = " + rep("(", kDeep) + "1" + rep(")", kDeep) + ";\n"},
      {"cpp", "void dblock() " + rep("{", kDeep) + rep("}", kDeep) + "\n"},
      {"cpp", "int dz = " + rep("- ", kDeep + 1) + "1;\n"},
      {"cpp", "int dn = " + rep("!", 100 * kDeep) + "1;\n"},
      {"cpp", "int dw = " + rep("(", kDeep) + "\n"},
  };
  for (const auto &[lang, code] : cases) {
    std::string a = "```" + lang + "\n" + code + "```\n```python\nprint('later')\n```\n";
    std::string what = lang + ": " + code.substr(0, 24) + "…";
    printf("[deep] %s\n", what.c_str());
    fflush(stdout);  // a crash below should say which case
    auto t0 = std::chrono::steady_clock::now();
    Trace r = sxt::run_chunks(markdown(), chunks_of(a, 16));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect_complete(r);
    auto d = r.done();
    ASSERT_GE(d.size(), 2u) << what;
    // Results of different languages may arrive in any order.
    std::sort(d.begin(), d.end(), [](const json &x, const json &y) { return x["unit_id"] < y["unit_id"]; });
    // Every language refuses the nesting with a clear syntax error: Python
    // and JavaScript by their stack guards, C++ above clang's 256 bracket
    // levels and above 10 000 operators in a row.
    EXPECT_EQ(d.front()["status"], "syntax_error") << what << " " << d.front().dump();
    EXPECT_EQ(d.back()["status"], "ok") << what;
    EXPECT_NE(r.all_stdout().find("later\n"), std::string::npos) << what;
    // Each case takes well under a second; 30 s allows for a loaded machine.
    EXPECT_LT(s, 30.0) << what;
  }
}

// 10 000 nested unary minus is valid C++ (clang++ with an 8 MiB stack
// crashes on 2 000): the C++ worker's grown stack parses it; the value is right.
TEST(BadInput, TenThousandNestedUnaryOperatorsInCppRun) {
  std::string a = "```cpp\nint dz = " + rep("- ", kDeep) + "1;\nstd::printf(\"%d\\n\", dz);\n```\n";
  Trace r = sxt::run_chunks(markdown(), chunks_of(a, 16));
  expect_complete(r);
  ASSERT_EQ(r.done().size(), 2u);
  for (const auto &d : r.done()) EXPECT_EQ(d["status"], "ok") << d.dump();
  EXPECT_EQ(r.all_stdout(), "1\n");
}

// The confirm passes run on the thread that calls sx_feed: also fine on a
// thread with a small (1 MiB) stack? Not promised; the default 8 MiB is.
TEST(BadInput, DeepNestingChunkOnlyRawMode) {
  for (sx_lang lang : {SX_LANG_PYTHON, SX_LANG_JAVASCRIPT, SX_LANG_CPP}) {
    std::string code = lang == SX_LANG_PYTHON ? "x = " + rep("(", kDeep) + "1" + rep(")", kDeep) + "\ny = 1\n"
                                              : "int x = " + rep("(", kDeep) + "1" + rep(")", kDeep) + ";\n";
    if (lang == SX_LANG_JAVASCRIPT) code = "let x = " + rep("[", kDeep) + rep("]", kDeep) + ";\n";
    Trace r = sxt::run_chunks(raw(lang, false), chunks_of(code, 1000));
    EXPECT_EQ(r.of("session_done").size(), 1u);
    auto d = r.done();  // chunk only: results are syntax errors only
    ASSERT_FALSE(d.empty()) << lang;
    EXPECT_TRUE(failed_clearly(d.front())) << d.front().dump();
    EXPECT_EQ(d.front()["status"], "syntax_error") << d.front().dump();
  }
}

// sx_feed from a thread with a small stack: the confirm passes' stack guards
// size themselves to the thread (frontend/stack_budget.h), so deep nesting
// is a syntax error there too, not a stack overflow of the host.
TEST(BadInput, DeepNestingOnASmallStackThread) {
  struct Job {
    sx_lang lang;
    std::string code;
    Trace r;
  };
  std::vector<Job> jobs = {
      {SX_LANG_PYTHON, "x = " + rep("-", kDeep) + "1\n", {}},
      {SX_LANG_JAVASCRIPT, "const f = " + rep("() => ", kDeep) + "1;\n", {}},
  };
  for (auto &j : jobs) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512u << 10);
    pthread_t t;
    auto body = [](void *p) -> void * {
      auto *job = static_cast<Job *>(p);
      job->r = sxt::run_chunks(raw(job->lang, false), {job->code});
      return nullptr;
    };
    ASSERT_EQ(pthread_create(&t, &attr, body, &j), 0);
    pthread_join(t, nullptr);
    pthread_attr_destroy(&attr);
    auto d = j.r.done();
    ASSERT_EQ(d.size(), 1u) << j.lang;
    EXPECT_EQ(d[0]["status"], "syntax_error") << d[0].dump();
  }
}

// ------------------------------------------ a long stream in 1-byte feeds

namespace {

// Deterministic answer bytes, generated on the fly (the test never holds the
// stream): prose lines, and every `fence_every` bytes a small Python fence,
// except in the last `tail` bytes (prose only, so the stream ends far from
// the last closed unit).
class Answer {
 public:
  Answer(std::size_t total, std::size_t fence_every, std::size_t tail)
      : total_(total), every_(fence_every), tail_(tail) {}
  // Appends the next piece (a line or a fence) to `out`; false at the end.
  bool next(std::string *out) {
    if (produced_ >= total_) return false;
    std::string piece;
    if (produced_ >= next_fence_ && produced_ + tail_ < total_) {
      piece = "```python\nprint(" + std::to_string(fences_++) + ")\n```\n";
      next_fence_ += every_;
    } else {
      piece = "Line " + std::to_string(lines_++) +
              " of prose, with `inline code`, ``` not a fence, (brackets and \"quotes' that never close\n";
    }
    produced_ += piece.size();
    *out += piece;
    return true;
  }
  std::size_t fences() const { return fences_; }

 private:
  std::size_t total_, every_, tail_;
  std::size_t produced_ = 0, next_fence_ = 0, fences_ = 0, lines_ = 0;
};

}  // namespace

TEST(BadInput, LongStreamInOneByteFeedsIsLinearWithBoundedMemory) {
  constexpr std::size_t kTotal = 24u << 20, kEvery = 2u << 20, kTail = 3u << 20, kPart = 4u << 20;
  struct Seen {
    std::mutex mu;
    long ok = 0, other = 0, session_done = 0;
    std::string out;
  } seen;
  sx_options o = markdown();
  o.queue_events = 0;  // events are not kept: only what the session itself keeps counts
  o.user = &seen;
  o.on_event = [](void *u, const sx_event *e) {
    auto *s = static_cast<Seen *>(u);
    std::lock_guard<std::mutex> lk(s->mu);
    if (e->kind == SX_EVENT_UNIT_DONE) (e->status == SX_STATUS_OK ? s->ok : s->other)++;
    if (e->kind == SX_EVENT_OUTPUT) s->out.append(e->text, e->text_len);
    if (e->kind == SX_EVENT_SESSION_DONE) s->session_done++;
  };
  sx_session *s = nullptr;
  ASSERT_EQ(sx_session_new(&o, &s), SX_OK);
  Answer ans(kTotal, kEvery, kTail);
  std::string buf;
  std::size_t fed = 0;
  long rss0 = rss_kib(), rss_max = rss0, rss_half = 0;
  using clock = std::chrono::steady_clock;
  auto t_start = clock::now();
  double t_first = 0, t_last_begin = 0;
  while (ans.next(&buf)) {
    for (char c : buf) {
      ASSERT_EQ(sx_feed(s, &c, 1), SX_OK);
      ++fed;
      if ((fed & 0xffff) == 0) rss_max = std::max(rss_max, rss_kib());
      if (fed == kTotal / 2) rss_half = rss_max = rss_kib();
      if (fed == kPart) t_first = std::chrono::duration<double>(clock::now() - t_start).count();
      if (fed == kTotal - kPart) t_last_begin = std::chrono::duration<double>(clock::now() - t_start).count();
    }
    buf.clear();
  }
  double t_all = std::chrono::duration<double>(clock::now() - t_start).count();
  rss_max = std::max(rss_max, rss_kib());
  EXPECT_EQ(sx_finish(s), SX_OK);
  double t_last = t_all - t_last_begin;
  // Growth over the second half: warm-up (allocator arenas, parser caches,
  // sanitizer shadow memory) is over by then; what remains would grow with
  // the stream.
  long growth_kib = rss_max - rss_half;
  printf("[bad input] %zu MiB in 1-byte feeds: %.2f s; first 4 MiB %.3f s/MiB... %.3f s/MiB last 4 MiB; "
         "%zu fences; RSS growth %ld KiB in the first half, %ld KiB in the second\n",
         fed >> 20, t_all, t_first / 4, t_last / 4, ans.fences(), rss_half - rss0, growth_kib);
  {
    std::lock_guard<std::mutex> lk(seen.mu);
    EXPECT_EQ(seen.ok, static_cast<long>(ans.fences()));
    EXPECT_EQ(seen.other, 0);
    EXPECT_EQ(seen.session_done, 1);
    std::string want;
    for (std::size_t i = 0; i < ans.fences(); ++i) want += std::to_string(i) + "\n";
    EXPECT_EQ(seen.out, want);
  }
  sx_session_free(s);
  // No quadratic behaviour: the last part costs about what the first did.
  EXPECT_LT(t_last, 3 * t_first + 1.0) << "feeding slows down as the stream grows";
  // Memory does not grow with the stream: well under an eighth of the bytes
  // fed in the second half (the units' text here is a few bytes).
  EXPECT_LT(growth_kib * 1024, static_cast<long>(kTotal / 16 * kQuarantineSlack)) << "RSS grew by " << growth_kib << " KiB";
}

// Raw mode, chunk only: many units fed one byte at a time. What the session
// keeps per unit is bounded by the units' text (units of ~500 bytes here).
TEST(BadInput, LongRawStreamInOneByteFeedsChunkOnly) {
  constexpr std::size_t kTotal = 8u << 20;
  sx_options o = raw(SX_LANG_PYTHON, false);
  o.queue_events = 0;
  std::atomic<long> units{0};
  o.user = &units;
  o.on_event = [](void *u, const sx_event *e) {
    if (e->kind == SX_EVENT_UNIT_CLOSED) ++*static_cast<std::atomic<long> *>(u);
  };
  sx_session *s = nullptr;
  ASSERT_EQ(sx_session_new(&o, &s), SX_OK);
  std::string line = "x = '" + std::string(480, 'y') + "'  # a unit of about 500 bytes\n";
  long rss0 = rss_kib(), rss_max = rss0, rss_half = 0;
  std::size_t fed = 0;
  auto t0 = std::chrono::steady_clock::now();
  double t_half = 0;
  while (fed < kTotal) {
    for (char c : line) {
      ASSERT_EQ(sx_feed(s, &c, 1), SX_OK);
      if ((++fed & 0xffff) == 0) rss_max = std::max(rss_max, rss_kib());
      if (fed == kTotal / 2) {
        t_half = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rss_half = rss_max = rss_kib();
      }
    }
  }
  double t_all = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(sx_finish(s), SX_OK);
  sx_session_free(s);
  long growth_kib = std::max(rss_max, rss_kib()) - rss_half;  // second half, as above
  printf("[bad input] raw %zu MiB, %ld units in 1-byte feeds: %.2f s (first half %.2f s); RSS growth %ld KiB "
         "in the first half, %ld KiB in the second\n",
         fed >> 20, units.load(), t_all, t_half, rss_half - rss0, growth_kib);
  EXPECT_EQ(units.load(), static_cast<long>(fed / line.size()));
  EXPECT_LT(t_all - t_half, 3 * t_half + 1.0);
  // Per-unit bookkeeping (the report's records) may grow; keeping the text
  // fed (4 MiB in the second half) would not fit.
  EXPECT_LT(growth_kib * 1024, static_cast<long>(kTotal / 4 * kQuarantineSlack));
}
