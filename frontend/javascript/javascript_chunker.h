// Incremental JavaScript chunker (docs/DESIGN.md §3 "Closure").
//
// A byte scanner (O(1) per byte, state kept across feed() calls) tracks
// strings, template literals with nested `${}`, regex literals vs division
// (sx::jsscan::SlashTracker, shared with the ANTLR lexer), comments and
// bracket depth. Candidate closing points are `;` and `}` at depth 0 and
// line terminators at depth 0. At a candidate the open unit is confirmed with
// confirm_javascript(); the last statement's ending decides whether the unit
// closes at once (`;`, `}` of a declaration/block) or only when the next
// significant token is known not to continue it (ASI, `if` without `else`,
// `try` without `finally`).
#ifndef STREAMEXEC_FRONTEND_JAVASCRIPT_CHUNKER_H
#define STREAMEXEC_FRONTEND_JAVASCRIPT_CHUNKER_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "frontend/chunker.h"
#include "frontend/javascript/javascript_confirm.h"

namespace sx {

namespace jsscan {
class SlashTracker;  // grammars/JavaScriptLexerBase.h
}

class JavaScriptChunker : public Chunker {
 public:
  // `goal`: how units are confirmed. The session uses Repl (Script plus
  // import/export and top-level await); the conformance harness uses Script or
  // Module as a test file's name says.
  explicit JavaScriptChunker(ChunkSink &sink, JsConfirmOptions::Goal goal = JsConfirmOptions::Goal::Repl);
  ~JavaScriptChunker() override;
  void feed(std::string_view bytes) override;
  void finish() override;

  // Statistics (for tests / benchmarks).
  std::uint64_t confirm_calls() const { return confirm_calls_; }

 private:
  enum class St : std::uint8_t {
    Normal,
    Word,          // identifier / keyword / private name
    WordEsc,       // after `\` inside a word
    WordEscU,      // after `\u`
    WordEscBrace,  // inside `\u{…}`
    Number,
    Punct,         // accumulating a multi-character punctuator
    Slash,         // `/` seen: comment, regex or division?
    LineComment,
    BlockComment,
    String,
    StringEsc,
    Template,
    TemplateEsc,
    TemplateDollar,
    Regex,
    RegexEsc,
    RegexClass,
    RegexClassEsc,
    RegexFlags,
  };
  enum class Tok : std::uint8_t { Word, Punct, String, Template, Number, Regex, Private };

  void step(unsigned char c, std::uint64_t off);
  void normal(unsigned char c, std::uint64_t off);
  void start_utf8(unsigned char c, std::uint64_t off);
  void code_point(char32_t cp, std::uint64_t off);
  void newline_seen();
  void end_word(std::uint64_t end);
  void end_number(std::uint64_t end);
  void end_punct(unsigned char next);
  void emit_punct(std::string_view p, std::uint64_t start);

  void begin_token(std::uint64_t off);
  void decide(Tok kind, std::string_view text);
  void end_token(std::uint64_t end, bool semicolon_or_brace);
  void candidate_now();
  JsVerdict run_confirm(std::string_view text);
  bool html_comment(std::string_view punct) const;
  void close_unit(const JsVerdict &v, bool keep_next);
  void report(const JsVerdict &v, std::string_view text);
  Pos pos_of(std::uint64_t off) const;

  ChunkSink &sink_;
  JsConfirmOptions::Goal goal_;
  bool failed_ = false;

  // Position of the byte being processed.
  std::uint64_t off_ = 0;
  std::uint32_t line_ = 1;
  std::uint64_t line_start_ = 0;
  bool prev_cr_ = false;

  // Scanner.
  St st_ = St::Normal;
  std::unique_ptr<jsscan::SlashTracker> tracker_;
  std::string word_;
  std::string punct_;
  std::uint64_t punct_start_ = 0;
  std::uint64_t slash_start_ = 0;
  std::uint64_t tok_start_off_ = 0;
  char quote_ = 0;
  bool esc_cr_ = false;         // escaped CR inside a string: a following LF belongs to it
  bool num_seen_dot_ = false, num_seen_exp_ = false, num_radix_ = false;
  char num_prev_ = 0;
  bool token_on_line_ = false;  // for `-->` HTML-like comments
  bool block_comment_star_ = false;
  unsigned char bc_prev1_ = 0, bc_prev2_ = 0;  // last bytes inside a block comment (U+2028/9)
  unsigned char utf8_buf_[4] = {0, 0, 0, 0};
  int utf8_have_ = 0, utf8_need_ = 0;
  std::uint64_t utf8_start_ = 0;
  std::string recent_;          // the last few bytes fed (for tokens that began earlier)
  bool immediate_ = false;      // a `;` / `}` candidate completed with the current byte

  // The open unit.
  bool open_ = false;
  std::string pending_;          // bytes from the unit's first token up to now
  Pos unit_begin_;
  Pos tok_start_;                // start of the token being scanned
  std::uint64_t last_tok_end_ = 0;
  bool unit_has_token_ = false;  // a complete token since the unit opened

  // Candidate state.
  bool waiting_ = false;     // a candidate point: decide when the next token is known
  bool have_verdict_ = false;
  bool unit_is_do_ = false;  // the open unit's first token is `do`
  bool do_paren_ = false;    // the candidate is a `)` at depth 0 of such a unit
  bool do_wait_ = false;     // stash_ is a complete do-while: only `;` continues it
  JsVerdict stash_;

  std::uint64_t confirm_calls_ = 0;
};

}  // namespace sx

#endif
