// Shared by the libFuzzer targets chunker_fuzz.cpp and router_fuzz.cpp: the
// input layout (the first kSeedBytes bytes choose the split, the rest is the
// text), the three splits (whole, random pieces, one byte at a time), the
// feed loop, the split-invariance comparison and the failure report.
#ifndef STREAMEXEC_TESTS_FUZZ_FUZZ_COMMON_H
#define STREAMEXEC_TESTS_FUZZ_FUZZ_COMMON_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace sx::fuzz {

constexpr std::size_t kSeedBytes = 4;

// A fuzz input: the split seed (big-endian, from up to kSeedBytes leading
// bytes) and the text after them.
struct Input {
  std::uint64_t seed = 0;
  std::string_view text;
};

inline Input split_input(const std::uint8_t *data, std::size_t size) {
  Input in;
  std::size_t k = std::min(size, kSeedBytes);
  for (std::size_t i = 0; i < k; ++i) in.seed = in.seed << 8 | data[i];
  in.text = std::string_view(reinterpret_cast<const char *>(data) + k, size - k);
  return in;
}

inline std::string show(std::string_view s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '\\' || c == '"') { o += '\\'; o += static_cast<char>(c); }
    else if (c >= 0x20 && c < 0x7f) o += static_cast<char>(c);
    else { char b[8]; std::snprintf(b, sizeof b, "\\x%02x", c); o += b; }
  }
  return o + "\"";
}

inline std::string show(const sx::Pos &p) {
  return std::to_string(p.offset) + "@" + std::to_string(p.line) + ":" + std::to_string(p.col);
}

inline std::uint64_t splitmix(std::uint64_t &s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Piece sizes of the "random" split: mostly short (token-like), sometimes
// empty, sometimes long.
inline auto random_split(std::uint64_t seed) {
  return [s = seed]() mutable -> std::size_t {
    std::uint64_t r = splitmix(s);
    switch (r % 8) {
      case 0: return 0;
      case 1: return 1 + (r >> 8) % 512;
      default: return 1 + (r >> 8) % 8;
    }
  };
}

// Feeds `text` to `parser` (feed(std::string_view) / finish()) in pieces of
// next_len() bytes, then finishes it.
template <class Parser, class Split>
void feed_split(Parser &parser, std::string_view text, Split next_len) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = std::min(next_len(), text.size() - i);
    parser.feed(text.substr(i, n));
    i += n;
  }
  parser.finish();
}

// Prints what went wrong (`who`: "python chunker", "router", ...) and aborts.
[[noreturn]] inline void fail(const std::string &who, const char *what, std::string_view text,
                              const std::string &detail) {
  std::fprintf(stderr, "\n*** %s: %s\n%s\ntext (%zu bytes): %s\n", who.c_str(), what, detail.c_str(), text.size(),
               show(text).c_str());
  std::fflush(stderr);
  std::abort();
}

// Split invariance: the `split` stream must be event for event the "whole"
// one. same(a, b) compares two events, describe(e) renders one.
template <class Event, class Same, class Describe>
void compare(const std::string &who, const char *split, std::string_view text, const std::vector<Event> &want,
             const std::vector<Event> &got, Same same, Describe describe) {
  std::size_t n = std::max(want.size(), got.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i < want.size() && i < got.size() && same(want[i], got[i])) continue;
    std::string d = "event " + std::to_string(i) + "\n  whole:  " +
                    (i < want.size() ? describe(want[i]) : std::string("(none)")) + "\n  " + split + ": " +
                    (i < got.size() ? describe(got[i]) : std::string("(none)"));
    fail(who, (std::string("split invariance: whole vs ") + split).c_str(), text, d);
  }
}

}  // namespace sx::fuzz

#endif
