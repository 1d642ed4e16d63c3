// o200k-style BPE token splitter (used by `streamexec run --split bpe` and the
// benchmarks to feed an answer to the pipeline exactly as a model would emit it).
//
// Loads a tiktoken encoder file (npm `tiktoken`, encoders/o200k_base.json; see
// scripts/npm-deps), pre-tokenises with its `pat_str` regex (PCRE2, UTF + UCP)
// and byte-pair-merges every piece by rank. Only the *byte strings* of the
// tokens are produced (no ids): their concatenation is always the input.
// Special tokens (`<|endoftext|>` …) are not recognised: all text is ordinary.
// Invalid UTF-8 never fails: maximal runs of bytes the regex cannot match
// (invalid sequences) form pieces of their own and are merged like any other.
#ifndef STREAMEXEC_TOOLS_BPE_BPE_H
#define STREAMEXEC_TOOLS_BPE_BPE_H

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sx {

class BpeTokenizer {
 public:
  // Reads a tiktoken JSON encoder file (keys `pat_str`, `bpe_ranks`). Returns
  // nullptr and sets *error (if non-null) on failure.
  static std::unique_ptr<BpeTokenizer> load(const std::string &path, std::string *error);

  // The file installed by `scripts/npm-deps <build>` (compile definition
  // SX_DEFAULT_BPE_FILE), or "" when the library was built without it.
  static const char *default_path();

  // Splits text into tokens; returns their bytes (concatenation == text).
  // Thread-safe (const, no shared mutable state).
  std::vector<std::string> split(std::string_view text) const;

  // Number of ranked tokens loaded.
  std::size_t vocab_size() const;

  ~BpeTokenizer();
  BpeTokenizer(const BpeTokenizer &) = delete;
  BpeTokenizer &operator=(const BpeTokenizer &) = delete;

 private:
  struct Impl;
  explicit BpeTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sx

#endif  // STREAMEXEC_TOOLS_BPE_BPE_H
