// Incremental Python chunker (docs/DESIGN.md §3): a byte scanner finds candidate
// closing points of top-level statements; confirm_python() (ANTLR) decides.
//
// Decision points:
//  (a) the first token of a logical line at column 0 while a unit is open
//      (an identifier is decided when it ends, or as soon as it can no longer
//      become one of the continuation keywords: `el` waits, `x` does not):
//      `elif/else/except/finally`, or a line after a decorator, continue the
//      unit; anything else closes it if it parses as complete, and is a
//      syntax error otherwise.
//  (b) the end of a logical line at column 0: the unit is emitted if complete
//      (units starting with if/for/while/try/async for wait for (a), as they
//      may still get a continuation clause).
//  (c) early errors: at other line ends the open unit is re-parsed whenever it
//      has doubled in size since the last parse (O(n) in total), so syntax
//      errors inside long statements are reported without waiting for (a).
// Any chunking of the input gives the same units and errors.
#ifndef STREAMEXEC_FRONTEND_PYTHON_PYTHON_CHUNKER_H
#define STREAMEXEC_FRONTEND_PYTHON_PYTHON_CHUNKER_H

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/chunker.h"
#include "frontend/python/python_confirm.h"

namespace sx {

class PythonChunker : public Chunker {
 public:
  explicit PythonChunker(ChunkSink &sink);
  void feed(std::string_view bytes) override;
  void finish() override;

 private:
  enum class Mode { Code, Comment, Str1, Str3, Quote1, Quote2 };
  enum class LineState { Start, FirstIdent, Body, CommentLine };

  void step(unsigned char c);
  void code_byte(unsigned char c, Pos at);
  Pos append(unsigned char c);
  void code_newline(unsigned char c);
  void physical_line_end();
  void logical_line_end();
  void blank_line_end();
  void new_line_state();
  void begin_line_code(unsigned char c, Pos at);
  void first_token_complete(const std::string &word);
  void decision_a(const std::string &word);
  void decision_b();
  void early_check();
  ParseVerdict confirm(std::size_t len, bool analyze = true);
  void emit(const ParseVerdict &v, std::size_t code_end);
  void drop_front(std::size_t n, Pos new_begin);
  void fail(Pos at, const std::string &message);
  Pos map(Pos rel) const;
  bool unit_waits_for_clause() const;

  ChunkSink &sink_;
  bool failed_ = false;

  // position of the next byte in the whole text
  Pos pos_;
  bool prev_cr_ = false;
  std::string bom_;  // a possible UTF-8 BOM at offset 0, not decided yet
  bool bom_done_ = false;

  // the open unit: bytes from the start of its first code line
  std::string pending_;
  Pos pending_begin_;
  bool has_code_ = false;            // pending_ holds at least one code line
  std::size_t last_code_end_ = 0;    // end of the last code line's newline in pending_
  bool last_code_decorator_ = false; // that line started with '@' at column 0
  std::size_t last_confirm_size_ = 0;

  // scanner
  Mode mode_ = Mode::Code;
  unsigned char quote_ = 0;
  int quote_run_ = 0;        // closing quotes seen in a triple-quoted string
  bool escape_ = false;      // in a string: the next byte is escaped
  bool escape_cr_ = false;   // an escaped CR: a following LF belongs to it
  bool backslash_ = false;   // code: the last byte was a backslash
  bool join_cr_ = false;     // a continuation CR: a following LF belongs to it
  bool cr_wait_ = false;     // a CR ended a line: is it CR LF?
  Pos string_start_;
  struct Bracket {
    unsigned char ch;
    Pos at;
  };
  std::vector<Bracket> brackets_;

  // current logical line
  LineState line_ = LineState::Start;
  int indent_col_ = 0;
  std::size_t line_start_ = 0;  // index in pending_
  Pos line_start_pos_;
  std::size_t first_tok_ = 0;   // index in pending_ of the line's first token
  Pos first_tok_pos_;
  bool line_col0_ = false;
  bool line_decorator_ = false;
  bool line_triggers_b_ = false;
  bool had_code_ = false;       // pending_ held code before this line

  // `from __future__` window: 0 = start, 1 = docstring/futures seen, 2 = closed
  int future_phase_ = 0;
};

}  // namespace sx

#endif
