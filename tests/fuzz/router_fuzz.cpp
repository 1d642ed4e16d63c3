// libFuzzer target for the markdown router (frontend/router) and, through it,
// every chunker. Same scheme as chunker_fuzz.cpp: the first kSeedBytes bytes
// choose the split (and the mode: the top seed byte's low bits select raw mode
// per language, otherwise markdown), the rest is the answer text. The answer is
// fed whole, in random pieces and one byte at a time; the three event streams
// (units, syntax errors, skipped fences, fence openings, program ends, in
// order) must be identical, and each unit's code must be the answer's bytes
// [begin, end) less container prefixes (see derived_from).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "frontend/router/router.h"
#include "ir/ir.h"

namespace {

using sx::fuzz::show;

const std::string kWho = "router";

std::string join(const std::vector<std::string> &v) {
  std::string o;
  for (const auto &s : v) o += s + ",";
  return o;
}

struct Lines {
  std::vector<std::string_view> text, ends;
};
Lines split_lines(std::string_view s) {
  Lines l;
  std::size_t b = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n' && s[i] != '\r') continue;
    std::size_t e = i + (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1);
    l.text.push_back(s.substr(b, i - b));
    l.ends.push_back(s.substr(i, e - i));
    b = e;
    i = e - 1;
  }
  l.text.push_back(s.substr(b));
  l.ends.push_back({});
  return l;
}

// A unit's code is its answer bytes [begin, end) with, on each line, a
// container prefix ("> ", list indentation, the fence's indentation) removed;
// up to 3 spaces may stand for a partly consumed tab; a line ending may be a
// CR for a LF (one that would otherwise join a lone CR before it).
bool derived_from(std::string_view code, std::string_view answer) {
  Lines c = split_lines(code), a = split_lines(answer);
  if (c.text.size() != a.text.size()) return false;
  for (std::size_t i = 0; i < c.text.size(); ++i) {
    std::string_view ct = c.text[i], at = a.text[i];
    bool ok = false;
    for (std::size_t synth = 0; !ok && synth <= 3 && synth <= ct.size(); ++synth) {
      if (synth > 0 && ct[synth - 1] != ' ') break;
      std::string_view rest = ct.substr(synth);
      if (rest.size() > at.size() || at.substr(at.size() - rest.size()) != rest) continue;
      ok = synth == 0 || (at.size() > rest.size() && at[at.size() - rest.size() - 1] == '\t');
    }
    if (!ok) return false;
    if (c.ends[i] != a.ends[i] && !(c.ends[i] == "\r" && a.ends[i] == "\n")) return false;
  }
  return true;
}

class Recorder : public sx::RouterSink {
 public:
  std::string_view text;
  std::vector<std::string> events;  // each event rendered in full
  void on_unit(sx::Unit &&u) override {
    if (u.begin.offset > u.end || u.end > text.size() ||
        !derived_from(u.code, text.substr(u.begin.offset, u.end - u.begin.offset)))
      bad = "unit code is not the answer's bytes [begin, end) less container prefixes: " + show(u.begin) + "-" +
            std::to_string(u.end) + " " + show(u.code);
    events.push_back(std::string("unit ") + sx::lang_name(u.lang) + " fence " + std::to_string(u.fence) + " " +
                     show(u.begin) + "-" + std::to_string(u.end) + " kind " +
                     std::to_string(static_cast<int>(u.kind)) + " defines " + join(u.defines) + " uses " +
                     join(u.uses) + " code " + show(u.code));
  }
  void on_syntax_error(sx::SyntaxError &&e) override {
    events.push_back(std::string("error ") + sx::lang_name(e.lang) + " fence " + std::to_string(e.fence) + " at " +
                     show(e.at) + " " + show(e.message) + " unit_begin " + show(e.unit_begin) + " code " +
                     show(e.code));
  }
  void on_fence_skipped(int fence, const std::string &info, sx::Pos at, const std::string &why) override {
    events.push_back("skipped fence " + std::to_string(fence) + " " + show(info) + " at " + show(at) + " " +
                     show(why));
  }
  void on_fence_open(sx::Lang l) override { events.push_back(std::string("open ") + sx::lang_name(l)); }
  void on_program_end(sx::Lang l, int fence) override {
    events.push_back(std::string("end ") + sx::lang_name(l) + " " + std::to_string(fence));
  }
  std::string bad;
};

template <class Split>
std::vector<std::string> run(const sx::RouterConfig &cfg, std::string_view text, const char *split,
                             Split next_len) {
  Recorder rec;
  rec.text = text;
  sx::Router router(cfg, rec);
  sx::fuzz::feed_split(router, text, next_len);
  if (router.offset() != text.size())
    sx::fuzz::fail(kWho, "offset() is not the number of bytes fed", text, std::string(split) + " split");
  if (!rec.bad.empty()) sx::fuzz::fail(kWho, rec.bad.c_str(), text, std::string(split) + " split");
  return std::move(rec.events);
}

// Events are compared and shown as rendered by the Recorder.
void compare(const char *split, std::string_view text, const std::vector<std::string> &want,
             const std::vector<std::string> &got) {
  sx::fuzz::compare(
      kWho, split, text, want, got, [](const std::string &a, const std::string &b) { return a == b; },
      [](const std::string &e) { return e; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const sx::fuzz::Input in = sx::fuzz::split_input(data, size);
  std::string_view text = in.text;

  sx::RouterConfig cfg;
  switch (size > 0 ? data[0] % 16 : 0) {  // the first seed byte, if any
    case 1:
      cfg.mode = sx::Mode::Raw;
      cfg.lang = sx::Lang::Python;
      break;
    case 2:
      cfg.mode = sx::Mode::Raw;
      cfg.lang = sx::Lang::JavaScript;
      break;
    case 3:
      cfg.mode = sx::Mode::Raw;
      cfg.lang = sx::Lang::Cpp;
      break;
    default: break;
  }

  auto whole = run(cfg, text, "whole", [&] { return text.size(); });
  auto random = run(cfg, text, "random", sx::fuzz::random_split(in.seed));
  compare("random", text, whole, random);
  auto bytes = run(cfg, text, "bytes", [] { return std::size_t{1}; });
  compare("bytes", text, whole, bytes);
  return 0;
}
