// o200k-style BPE splitter: tiktoken JSON loader, PCRE2 pre-tokeniser,
// rank-ordered byte-pair merge. See bpe.h.
#include "tools/bpe/bpe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <queue>
#include <sstream>
#include <unordered_map>

namespace sx {

namespace {

constexpr std::uint32_t kNoRank = std::numeric_limits<std::uint32_t>::max();

// Pieces up to this length are merged with the simple quadratic scan; longer
// ones (long runs of spaces, punctuation, one huge "word") use a heap.
constexpr std::size_t kSmallPiece = 96;

// Token bytes -> rank for ~200 k tokens: the bytes in one arena and an
// open-addressing table of entry indices, built once after loading. A map
// with a node per token took 40 ms to build and 14 ms to free, most of a
// CLI run's start (`streamexec run` splits its input with it).
class RankTable {
 public:
  // During loading; a token added twice keeps its first rank.
  void add(std::string_view bytes, std::uint32_t rank) {
    entries_.push_back({static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(bytes.size()), rank});
    arena_.append(bytes);
  }
  void reserve(std::size_t tokens, std::size_t bytes) {
    entries_.reserve(tokens);
    arena_.reserve(bytes);
  }
  void finish() {
    std::size_t cap = 16;
    while (cap < entries_.size() * 2) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
    std::vector<Entry> kept;
    kept.reserve(entries_.size());
    for (const Entry &e : entries_) {
      std::string_view key(arena_.data() + e.off, e.len);
      std::size_t i = std::hash<std::string_view>{}(key)&mask_;
      bool dup = false;
      for (; slots_[i] != 0; i = (i + 1) & mask_) {
        const Entry &o = kept[slots_[i] - 1];
        if (std::string_view(arena_.data() + o.off, o.len) == key) {
          dup = true;
          break;
        }
      }
      if (dup) continue;
      kept.push_back(e);
      slots_[i] = static_cast<std::uint32_t>(kept.size());
    }
    entries_.swap(kept);
  }
  std::uint32_t find(std::string_view key) const {
    if (slots_.empty()) return kNoRank;
    for (std::size_t i = std::hash<std::string_view>{}(key)&mask_; slots_[i] != 0; i = (i + 1) & mask_) {
      const Entry &e = entries_[slots_[i] - 1];
      if (e.len == key.size() && std::string_view(arena_.data() + e.off, e.len) == key) return e.rank;
    }
    return kNoRank;
  }
  bool contains(std::string_view key) const { return find(key) != kNoRank; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::uint32_t off, len, rank;
  };
  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> slots_;  // entry index + 1; 0 = empty
  std::size_t mask_ = 0;
};

int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard (or URL-safe) base64, '=' padding optional. False on a bad character.
bool base64_decode(std::string_view in, std::string &out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    if (c == '=') break;
    int v = base64_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

// Length of the UTF-8 sequence starting at text[pos] if it is well formed, else 1.
std::size_t utf8_char_len(std::string_view text, std::size_t pos) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char c = b(pos);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len <= 1 || pos + len > text.size()) return 1;
  for (std::size_t i = 1; i < len; ++i)
    if ((b(pos + i) & 0xC0) != 0x80) return 1;
  return len;
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "error " + std::to_string(code);
  return reinterpret_cast<const char *>(buf);
}

}  // namespace

struct BpeTokenizer::Impl {
  RankTable ranks;
  pcre2_code *re = nullptr;

  ~Impl() {
    if (re) pcre2_code_free(re);
  }

  std::uint32_t rank(std::string_view bytes) const { return ranks.find(bytes); }

  void merge(std::string_view piece, std::vector<std::string> &out) const;
  void merge_small(std::string_view piece, std::vector<std::string> &out) const;
  void merge_large(std::string_view piece, std::vector<std::string> &out) const;
};

// tiktoken's rule: repeatedly merge the adjacent pair whose concatenation has the
// lowest rank (leftmost on ties) until no adjacent pair is a token.
void BpeTokenizer::Impl::merge(std::string_view piece, std::vector<std::string> &out) const {
  if (piece.empty()) return;
  if (piece.size() == 1 || ranks.contains(piece)) {
    out.emplace_back(piece);
    return;
  }
  if (piece.size() <= kSmallPiece)
    merge_small(piece, out);
  else
    merge_large(piece, out);
}

void BpeTokenizer::Impl::merge_small(std::string_view piece, std::vector<std::string> &out) const {
  // bounds[k] = start of part k; bounds.back() = piece.size().
  // pair[k] = rank of parts k and k+1 joined.
  std::size_t bounds[kSmallPiece + 1];
  std::uint32_t pair[kSmallPiece];
  std::size_t parts = piece.size();
  for (std::size_t k = 0; k <= parts; ++k) bounds[k] = k;
  auto pair_rank = [&](std::size_t k) {
    return rank(piece.substr(bounds[k], bounds[k + 2] - bounds[k]));
  };
  for (std::size_t k = 0; k + 1 < parts; ++k) pair[k] = pair_rank(k);
  while (parts > 1) {
    std::size_t best = 0;
    std::uint32_t best_rank = kNoRank;
    for (std::size_t k = 0; k + 1 < parts; ++k)
      if (pair[k] < best_rank) best_rank = pair[k], best = k;
    if (best_rank == kNoRank) break;
    // Join parts best and best+1: drop boundary best+1 and pair entry best+1.
    std::copy(bounds + best + 2, bounds + parts + 1, bounds + best + 1);
    std::copy(pair + best + 1, pair + parts - 1, pair + best);
    --parts;
    if (best + 1 < parts) pair[best] = pair_rank(best);
    if (best > 0) pair[best - 1] = pair_rank(best - 1);
  }
  for (std::size_t k = 0; k < parts; ++k)
    out.emplace_back(piece.substr(bounds[k], bounds[k + 1] - bounds[k]));
}

void BpeTokenizer::Impl::merge_large(std::string_view piece, std::vector<std::string> &out) const {
  // Parts are a linked list keyed by their start offset; part i = [i, next[i]).
  const std::uint32_t n = static_cast<std::uint32_t>(piece.size());
  std::vector<std::uint32_t> next(n), prev(n);
  std::vector<char> alive(n, 1);
  for (std::uint32_t i = 0; i < n; ++i) next[i] = i + 1, prev[i] = i - 1;  // prev[0] unused

  struct Cand {
    std::uint32_t rank, left, end;  // pair = bytes [left, end)
    bool operator>(const Cand &o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
  auto push_pair = [&](std::uint32_t left) {
    std::uint32_t mid = next[left];
    if (mid >= n) return;
    std::uint32_t end = next[mid];
    std::uint32_t r = rank(piece.substr(left, end - left));
    if (r != kNoRank) heap.push({r, left, end});
  };
  for (std::uint32_t i = 0; i + 1 < n; ++i) push_pair(i);

  while (!heap.empty()) {
    Cand c = heap.top();
    heap.pop();
    // Stale if a boundary inside or at the end of the recorded pair changed; the
    // rank depends only on the bytes [left, end), so this check is exact.
    if (!alive[c.left] || next[c.left] >= n || next[next[c.left]] != c.end) continue;
    std::uint32_t right = next[c.left];
    alive[right] = 0;
    next[c.left] = next[right];
    if (next[c.left] < n) prev[next[c.left]] = c.left;
    push_pair(c.left);
    if (c.left > 0) push_pair(prev[c.left]);
  }
  for (std::uint32_t i = 0; i < n; i = next[i]) out.emplace_back(piece.substr(i, next[i] - i));
}

BpeTokenizer::BpeTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BpeTokenizer::~BpeTokenizer() = default;

const char *BpeTokenizer::default_path() {
#ifdef SX_DEFAULT_BPE_FILE
  return SX_DEFAULT_BPE_FILE;
#else
  return "";
#endif
}

std::size_t BpeTokenizer::vocab_size() const { return impl_->ranks.size(); }

std::unique_ptr<BpeTokenizer> BpeTokenizer::load(const std::string &path, std::string *error) {
  auto fail = [&](const std::string &msg) -> std::unique_ptr<BpeTokenizer> {
    if (error) *error = path + ": " + msg;
    return nullptr;
  };

  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();

  std::string pat, bpe_ranks;
  try {
    auto j = nlohmann::json::parse(ss.str());
    if (!j.is_object() || !j.contains("pat_str") || !j.contains("bpe_ranks"))
      return fail("not a tiktoken encoder file (needs keys pat_str and bpe_ranks)");
    pat = j.at("pat_str").get<std::string>();
    bpe_ranks = std::move(j.at("bpe_ranks").get_ref<std::string &>());
  } catch (const std::exception &e) {
    return fail(std::string("invalid JSON: ") + e.what());
  }

  auto impl = std::make_unique<Impl>();
  impl->ranks.reserve(bpe_ranks.size() / 6, bpe_ranks.size() * 3 / 4);

  // bpe_ranks: '\n'-separated lines "<marker> <first rank> <b64> <b64> …", the
  // tokens of a line taking consecutive ranks from <first rank>.
  std::string_view all(bpe_ranks);
  std::string bytes;
  std::size_t line_no = 0;
  while (!all.empty()) {
    std::size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t field = 0;
    std::uint64_t next_rank = 0;
    while (!line.empty()) {
      std::size_t sp = line.find(' ');
      std::string_view tok = line.substr(0, sp);
      line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
      if (tok.empty()) continue;
      if (field == 0) {
        // marker: ignored
      } else if (field == 1) {
        next_rank = 0;
        for (char ch : tok) {
          if (ch < '0' || ch > '9') return fail("bpe_ranks line " + std::to_string(line_no) + ": bad rank");
          next_rank = next_rank * 10 + static_cast<unsigned>(ch - '0');
          if (next_rank >= kNoRank) return fail("bpe_ranks line " + std::to_string(line_no) + ": rank too large");
        }
      } else {
        if (!base64_decode(tok, bytes) || bytes.empty())
          return fail("bpe_ranks line " + std::to_string(line_no) + ": bad base64 token");
        if (next_rank >= kNoRank) return fail("bpe_ranks: rank too large");
        impl->ranks.add(bytes, static_cast<std::uint32_t>(next_rank));
        ++next_rank;
      }
      ++field;
    }
  }
  impl->ranks.finish();
  if (impl->ranks.empty()) return fail("bpe_ranks holds no tokens");

  int errcode = 0;
  PCRE2_SIZE erroffset = 0;
  impl->re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pat.data()), pat.size(),
                           PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &errcode, &erroffset,
                           nullptr);
  if (!impl->re)
    return fail("pat_str does not compile at offset " + std::to_string(erroffset) + ": " +
                pcre2_message(errcode));
  // JIT is an optimisation only: the interpreter is used when it is unavailable.
  (void)pcre2_jit_compile(impl->re, PCRE2_JIT_COMPLETE);

  return std::unique_ptr<BpeTokenizer>(new BpeTokenizer(std::move(impl)));
}

std::vector<std::string> BpeTokenizer::split(std::string_view text) const {
  std::vector<std::string> out;
  if (text.empty()) return out;
  out.reserve(text.size() / 3 + 1);

  struct MatchData {
    pcre2_match_data *md;
    ~MatchData() { pcre2_match_data_free(md); }
  } m{pcre2_match_data_create_from_pattern(impl_->re, nullptr)};
  if (!m.md) {  // out of memory: still honour the contract
    out.emplace_back(text);
    return out;
  }

  // A bigger JIT stack / match context, created only if a match hits a limit.
  pcre2_match_context *big_ctx = nullptr;
  pcre2_jit_stack *big_stack = nullptr;
  struct Cleanup {
    pcre2_match_context *&c;
    pcre2_jit_stack *&s;
    ~Cleanup() {
      if (c) pcre2_match_context_free(c);
      if (s) pcre2_jit_stack_free(s);
    }
  } cleanup{big_ctx, big_stack};

  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const std::size_t n = text.size();
  std::size_t pos = 0;
  while (pos < n) {
    int rc = pcre2_match(impl_->re, subject, n, pos, 0, m.md, big_ctx);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && !big_ctx) {
      big_ctx = pcre2_match_context_create(nullptr);
      big_stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
      if (big_ctx && big_stack) pcre2_jit_stack_assign(big_ctx, nullptr, big_stack);
      rc = pcre2_match(impl_->re, subject, n, pos, 0, m.md, big_ctx);
    }
    if (rc == PCRE2_ERROR_NOMATCH) {  // nothing matches any more: rest is one piece
      impl_->merge(text.substr(pos), out);
      break;
    }
    if (rc < 0) {  // resource limit even with a big stack: one character alone
      std::size_t len = utf8_char_len(text, pos);
      impl_->merge(text.substr(pos, len), out);
      pos += len;
      continue;
    }
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m.md);
    std::size_t start = ov[0], end = ov[1];
    if (start < pos || start > n || end < start || end > n) {  // cannot happen; be safe
      start = pos;
      end = pos;
    }
    // Bytes skipped by the match: invalid UTF-8 (or text the pattern cannot
    // match) become a piece of their own.
    if (start > pos) impl_->merge(text.substr(pos, start - pos), out);
    if (end == start) {
      // Empty match: the next character goes alone, so we always progress.
      std::size_t len = utf8_char_len(text, start);
      impl_->merge(text.substr(start, len), out);
      pos = start + len;
      continue;
    }
    impl_->merge(text.substr(start, end - start), out);
    pos = end;
  }
  return out;
}

}  // namespace sx
