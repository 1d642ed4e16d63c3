// The conformance harness's cases and corpora (conformance.cpp runs them,
// conformance_corpora.cpp finds them with their reference verdicts).
#ifndef STREAMEXEC_TESTS_CONFORMANCE_H
#define STREAMEXEC_TESTS_CONFORMANCE_H

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace sx::conformance {

// ------------------------------------------------------------------ options

struct Options {
  std::vector<std::string> langs{"python", "javascript", "cpp"};
  std::size_t max_files = 0;  // 0 = all
  std::string json_out;
  std::string source_dir = SX_SOURCE_DIR;
  std::string build_dir = SX_BINARY_DIR;
  std::string python = "/usr/bin/python3";
  std::string node = "node";
  std::string python_corpus = "/usr/lib/python3.11";
  std::string bpe_file;
  unsigned seed = 20240601;
  std::size_t worst = 10;
  bool quiet = false;
};

// ------------------------------------------------------------------- cases

using Span = std::pair<std::uint64_t, std::uint64_t>;

struct Reference {
  bool known = false;  // a reference verdict exists
  bool ok = false;     // the reference parser accepts the file
  std::string error;
  std::optional<std::uint64_t> error_pos;  // JS: byte offset
  std::optional<std::uint64_t> error_line;  // Python: line
  // Top-level statements: Python (first line, last line), inclusive;
  // JavaScript / C++ [begin, end) byte offsets.
  std::vector<Span> spans;
  std::string source;  // which reference: "CPython ast", "acorn", "clang 19", "constructed"
};

struct Case {
  std::string path;   // file to read
  std::string name;   // display name (relative)
  std::string group;  // python: stdlib | adversarial | generated; js: pass | pass-explicit | fail | early | …
  // What the law expects: accept / reject / nothing (early/).
  enum class Expect { Accept, Reject, None } expect = Expect::None;
  Reference ref;
  std::string excluded;  // non-empty: outside the chunker's contract, not checked (counted apart)
  bool module = false;   // JavaScript: Module goal (test262's "*.module.js"), else Script
};

// ------------------------------------------------------------- corpora

struct Corpus {
  Lang lang;
  std::vector<Case> cases;
  std::string problem;  // non-empty: corpus or reference missing
};

// The corpus of each language, with its reference verdicts (CPython's ast,
// acorn, clang 19, or constructed), per the options.
Corpus python_corpus(const Options &opt);
Corpus javascript_corpus(const Options &opt);
Corpus cpp_corpus(const Options &opt);

}  // namespace sx::conformance

#endif
