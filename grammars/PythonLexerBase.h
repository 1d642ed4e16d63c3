// Superclass of the generated PythonLexer: turns physical tokens into the
// token stream of the Python grammar.
//
//  * NEWLINE at the end of each logical line only: line breaks inside ( [ {
//    (implicit line joining), after a backslash (LINE_JOIN) and on blank or
//    comment-only lines are dropped.
//  * INDENT / DEDENT from the leading whitespace of each logical line
//    (tab stops of 8, form feed resets the column); a dedent to a column that
//    matches no enclosing level yields a BAD_DEDENT token.
//  * Hidden tokens (whitespace, comments, line joins) are not passed on.
//  * At end of input: a NEWLINE if the last logical line was not terminated,
//    then the pending DEDENTs, then EOF. These synthesised tokens start at the
//    end of the input (so "error at a token starting at the end" means
//    "the input is a prefix of something that may still be valid").
//  * Input that ends inside a string literal (unterminated triple-quoted
//    string, or a single-quoted one without a line break before the end) or
//    right after a continuation backslash sets open_at_eof(): whatever the
//    parser says, more input could change it.
//  * Bracket anomalies (unmatched or mismatched closing bracket, more than 200
//    levels) are recorded with CPython's wording for the confirm step.
#ifndef STREAMEXEC_GRAMMARS_PYTHON_LEXER_BASE_H
#define STREAMEXEC_GRAMMARS_PYTHON_LEXER_BASE_H

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "antlr4-runtime.h"

namespace sxg {

class PythonLexerBase : public antlr4::Lexer {
 public:
  explicit PythonLexerBase(antlr4::CharStream *input);

  std::unique_ptr<antlr4::Token> nextToken() override;
  void reset() override;

  // True if the input ended inside a string literal or after a `\` line join.
  bool open_at_eof() const { return open_at_eof_; }

  // A diagnostic tied to the token starting at character index `index`.
  // `related` is the index of the opening bracket of a mismatched pair
  // (npos otherwise): the caller appends " on line N" when it is on another line.
  struct Issue {
    std::size_t index;
    std::string message;
    std::size_t related = static_cast<std::size_t>(-1);
  };
  const std::vector<Issue> &issues() const { return issues_; }

  // Character index of the innermost bracket still open (npos if none).
  std::size_t innermost_open() const {
    return brackets_.empty() ? static_cast<std::size_t>(-1) : brackets_.back().index;
  }

  // CPython's limit on nested brackets.
  static constexpr std::size_t kMaxNesting = 200;
  // CPython's limit on indentation levels (tokenizer.c MAXINDENT: the
  // 100th level is "too many levels of indentation").
  static constexpr std::size_t kMaxIndent = 100;

 private:
  struct Open {
    char32_t ch;
    std::size_t index;  // character index of the bracket
  };

  void handle_eof();
  void enqueue(std::unique_ptr<antlr4::Token> t);
  std::unique_ptr<antlr4::Token> make(std::size_t type, std::size_t start, std::size_t stop,
                                      const std::string &text);
  std::size_t input_size();

  std::deque<std::unique_ptr<antlr4::Token>> queue_;
  std::vector<int> indents_{0};
  std::vector<Open> brackets_;
  std::vector<Issue> issues_;
  int line_indent_ = 0;          // column of the current line's first token
  bool at_line_start_ = true;    // no default-channel token yet on this logical line
  bool indent_frozen_ = false;   // a line join happened before the first token
  bool emitted_any_ = false;     // some default-channel token was emitted
  bool last_was_newline_ = true; // the last emitted token was a NEWLINE
  bool last_was_join_ = false;   // the last physical token was a LINE_JOIN
  bool eof_ = false;             // end of input reached: only synthesised tokens remain
  bool open_at_eof_ = false;
};

}  // namespace sxg

#endif
