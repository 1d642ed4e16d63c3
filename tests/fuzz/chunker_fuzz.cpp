// libFuzzer target for one chunker (compiled once per language with
// -DSX_FUZZ_LANG=Python|JavaScript|Cpp; see tests/fuzz/CMakeLists.txt).
//
// Input layout: the first kSeedBytes bytes choose the split, the rest is the
// program text. The text is fed to three chunkers of the language:
//   whole    one feed() of all bytes,
//   random   pieces of random size (0 … a few hundred bytes, from the seed),
//   bytes    one byte per feed(),
// then finish(). The three event streams (units: code, begin, end, kind,
// defines, uses; errors: position, message, code, unit begin) must be
// identical (split invariance, docs/DESIGN.md §3), and each must be well formed:
// a unit's code is exactly the text's bytes [begin.offset, end), units are in
// order and do not overlap, and nothing follows an error. Any violation prints
// what differs and aborts; crashes, sanitizer findings and hangs (-timeout) are
// libFuzzer's.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "frontend/chunker.h"
#include "ir/ir.h"

#ifndef SX_FUZZ_LANG
#error "define SX_FUZZ_LANG (Python, JavaScript or Cpp)"
#endif

namespace {

using sx::fuzz::show;

struct Event {
  bool error = false;
  std::string code;
  sx::Pos begin;          // unit begin / error position
  std::uint64_t end = 0;  // units only
  int kind = 0;
  std::vector<std::string> defines, uses;
  std::string message;    // errors only
  sx::Pos unit_begin;     // errors only
};

class Recorder : public sx::ChunkSink {
 public:
  std::vector<Event> events;
  void on_unit(sx::ChunkUnit &&u) override {
    Event e;
    e.code = std::move(u.code);
    e.begin = u.begin;
    e.end = u.end;
    e.kind = static_cast<int>(u.kind);
    e.defines = std::move(u.defines);
    e.uses = std::move(u.uses);
    events.push_back(std::move(e));
  }
  void on_error(sx::ChunkError &&err) override {
    Event e;
    e.error = true;
    e.begin = err.at;
    e.message = std::move(err.message);
    e.code = std::move(err.code);
    e.unit_begin = err.unit_begin;
    events.push_back(std::move(e));
  }
};

std::string show(const std::vector<std::string> &v) {
  std::string o = "[";
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + v[i];
  return o + "]";
}

std::string show(const Event &e) {
  if (e.error)
    return "error at " + show(e.begin) + " " + show(e.message) + " unit_begin " + show(e.unit_begin) +
           " code " + show(e.code);
  return "unit " + show(e.begin) + "-" + std::to_string(e.end) + " kind " + std::to_string(e.kind) +
         " defines " + show(e.defines) + " uses " + show(e.uses) + " code " + show(e.code);
}

bool same_pos(const sx::Pos &a, const sx::Pos &b) {
  return a.offset == b.offset && a.line == b.line && a.col == b.col;
}

bool same(const Event &a, const Event &b) {
  return a.error == b.error && a.code == b.code && same_pos(a.begin, b.begin) && a.end == b.end &&
         a.kind == b.kind && a.defines == b.defines && a.uses == b.uses && a.message == b.message &&
         same_pos(a.unit_begin, b.unit_begin);
}

const std::string kWho = std::string(sx::lang_name(sx::Lang::SX_FUZZ_LANG)) + " chunker";

[[noreturn]] void fail(const char *what, std::string_view text, const std::string &detail) {
  sx::fuzz::fail(kWho, what, text, detail);
}

template <class Split>
std::vector<Event> run(std::string_view text, Split next_len) {
  Recorder rec;
  auto ch = sx::make_chunker(sx::Lang::SX_FUZZ_LANG, rec);
  if (!ch) std::abort();
  sx::fuzz::feed_split(*ch, text, next_len);
  return std::move(rec.events);
}

// Each stream on its own: units are the text's own bytes, in order, without
// overlap; at most one error, and it is the last event.
void check_well_formed(const char *split, std::string_view text, const std::vector<Event> &ev) {
  std::uint64_t prev_end = 0;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const Event &e = ev[i];
    std::string where = std::string(split) + " split, event " + std::to_string(i) + ": " + show(e);
    if (e.error) {
      if (i + 1 != ev.size()) fail("event after an error", text, where);
      if (e.begin.offset > text.size()) fail("error position past the end of the text", text, where);
      continue;
    }
    if (e.begin.offset < prev_end || e.end < e.begin.offset || e.end > text.size())
      fail("unit span out of order or out of range", text, where);
    if (text.substr(e.begin.offset, e.end - e.begin.offset) != e.code)
      fail("unit code is not the text's bytes [begin, end)", text, where);
    prev_end = e.end;
  }
}

void compare(const char *split, std::string_view text, const std::vector<Event> &want,
             const std::vector<Event> &got) {
  sx::fuzz::compare(kWho, split, text, want, got, same, [](const Event &e) { return show(e); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const sx::fuzz::Input in = sx::fuzz::split_input(data, size);
  std::string_view text = in.text;

  auto whole = run(text, [&] { return text.size(); });
  static const bool dump = std::getenv("SX_FUZZ_DUMP") != nullptr;  // debugging aid
  if (dump)
    for (const Event &e : whole) std::fprintf(stderr, "%s\n", show(e).c_str());
  check_well_formed("whole", text, whole);

  auto random = run(text, sx::fuzz::random_split(in.seed));
  check_well_formed("random", text, random);
  compare("random", text, whole, random);

  auto bytes = run(text, [] { return std::size_t{1}; });
  compare("bytes", text, whole, bytes);
  return 0;
}
