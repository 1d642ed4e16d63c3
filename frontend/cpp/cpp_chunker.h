// Incremental C++ chunker (docs/DESIGN.md §3, C++ rules).
//
// A byte scanner, O(1) per byte, keeps its state across feed() calls (any
// chunking): strings, raw strings R"d(...)d", char literals vs. digit
// separators (1'000), comments, bracket depth ( [ {, preprocessor lines (a '#'
// first on its line, with '\' continuation) and #if/#endif nesting. Candidate
// closing points at bracket depth 0: after ';', after '}', at the end of a
// directive line. Only there the open unit's text is confirmed with the ANTLR
// grammar (confirm_cpp): an error is reported at once, an incomplete unit keeps
// reading, a complete one is emitted — except when it ends with an `if`
// without `else` or a try/catch: then the next significant token decides
// (`else` / `catch` continue the unit, anything else closes it before that
// token).
//
// Unit code = the bytes from the unit's first token to its last token's last
// byte (no surrounding whitespace or comments). Only the open unit is kept.
#ifndef STREAMEXEC_FRONTEND_CPP_CPP_CHUNKER_H
#define STREAMEXEC_FRONTEND_CPP_CPP_CHUNKER_H

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "frontend/chunker.h"
#include "frontend/cpp/cpp_confirm.h"

namespace sx {

class CppChunker : public Chunker {
 public:
  explicit CppChunker(ChunkSink &sink) : sink_(sink) {}
  void feed(std::string_view bytes) override;
  void finish() override;

  // Statistics (tests, benchmarks).
  std::uint64_t confirms() const { return confirms_; }
  std::size_t open_bytes() const { return pending_.size(); }

 private:
  enum class Mode : std::uint8_t { Code, LineComment, BlockComment, String, Char, RawDelim, RawBody };

  void step(unsigned char c);
  void code(unsigned char c, const Pos &p);
  void string_byte(unsigned char c, const Pos &p, char quote);
  void newline_in_code();
  void mark_sig(const Pos &p, unsigned char c, bool line_start);
  void token_start(const Pos &p, bool ident, bool line_start, unsigned char c = 0);
  void ident_end();
  void slash_is_token();
  void end_directive();
  void define_seen();
  void macro_item();
  void candidate();
  void close_waiting(const Pos &next_token, bool line_start);
  void emit(std::size_t len, CppVerdict &&v);
  void fail(const Pos &at, std::string message);
  Pos verdict_pos(const CppVerdict &v) const;
  Pos here() const { return Pos{offset_, line_, col_}; }

  ChunkSink &sink_;
  bool failed_ = false, finished_ = false;

  // position of the next byte
  std::uint64_t offset_ = 0;
  std::uint32_t line_ = 1, col_ = 0;

  // lexical state
  Mode mode_ = Mode::Code;
  bool at_line_start_ = true;  // only blanks since the last newline
  bool bs_prev_ = false;       // previous byte '\' (a '\r' in between allowed)
  bool esc_ = false;           // inside a literal, after '\'
  bool star_prev_ = false;     // inside /* */, after '*'
  bool slash_pending_ = false; // '/' seen in code: comment or operator?
  bool slash_line_start_ = false;
  Pos slash_pos_;
  bool in_ident_ = false;
  std::string ident_;          // first bytes of the current identifier
  std::size_t ident_len_ = 0;
  bool in_number_ = false, num_exp_ = false, quote_pending_ = false;
  std::string raw_delim_, raw_term_;
  std::size_t raw_match_ = 0;
  std::string brackets_;       // open ( [ {
  std::size_t op_run_ = 0;     // operator characters + - ! ~ * & in a row
  bool in_directive_ = false, dir_name_pending_ = false;
  std::string dir_name_;
  std::uint32_t pp_depth_ = 0; // open #if groups
  std::size_t dir_start_ = 0;  // the directive's '#' in pending_

  // Function-like macros whose replacement list ends with '}' or ';'
  // (#define DECLARE(t, n) t get_##n() { ... }). A use of one that is the
  // whole open unit, `DECLARE(int, w)` at depth 0, is a complete item once
  // expanded: it closes at its ')' (no ';' follows it, so nothing else could
  // close it before the next item's ';').
  std::unordered_set<std::string> item_macros_;
  int macro_call_ = 0;         // 1: the unit is just such a name; 2: inside its (...)

  // the open unit: bytes from its first token on
  bool have_pending_ = false;
  std::string pending_;
  Pos pend_begin_;
  bool begins_line_ = true;
  std::size_t sig_len_ = 0;    // up to the end of the last token

  // a complete unit that may still continue with else / catch
  bool waiting_ = false, wait_else_ = false, wait_catch_ = false;
  bool wait_semicolon_ = false;  // an item macro's use, waiting to see whether a ';' follows
  bool deciding_ = false;      // an identifier after the unit is being read
  Pos decide_pos_;
  std::size_t unit_len_ = 0;
  CppVerdict wait_verdict_;

  std::uint64_t confirms_ = 0;
};

}  // namespace sx

#endif
