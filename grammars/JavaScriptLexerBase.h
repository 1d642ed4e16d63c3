// Context for the JavaScript grammar that plain ANTLR rules cannot express.
//
//  * sx::jsscan::SlashTracker — decides regex-literal vs division from the
//    previous significant token and keeps the bracket stack (including
//    template substitutions `${ … }`). It is shared by the ANTLR lexer below
//    and by the chunker's byte scanner, so both always agree.
//  * sxg::JavaScriptLexerBase — superclass of the generated lexer; it also
//    retypes `{`, `function`, `class` that start expressions (ObjLBrace, …).
//  * sxg::JavaScriptParserBase — superclass of the generated parser: ASI and
//    [no LineTerminator here] predicates and the generator/async context
//    stack for `yield` / `await`.
#ifndef STREAMEXEC_GRAMMARS_JAVASCRIPT_LEXER_BASE_H
#define STREAMEXEC_GRAMMARS_JAVASCRIPT_LEXER_BASE_H

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "antlr4-runtime.h"

namespace sx::jsscan {

// How a word (identifier or keyword) influences what may follow it.
enum class WordKind : std::uint8_t {
  Name,         // identifier, contextual keyword, `this`, `super`, literals: `/` is division
  Keyword,      // other reserved words: `/` starts a regex
  ExprKeyword,  // return typeof void delete yield await in instanceof throw case new extends:
                // also a `{` after it is an object literal
  Control,      // if while for with: the `(` after it is a statement head
};
WordKind classify_word(std::string_view w);

class SlashTracker {
 public:
  bool regex_allowed() const { return regex_ok_; }
  // Whether a `{` now starts an object literal (an operand is expected).
  bool brace_is_object() const { return brace_expr_; }
  // Whether `function` / `class` now start an expression (not a declaration).
  bool function_is_expression() const { return (brace_expr_ && !after_default_) || after_arrow_ || async_expr_; }
  bool class_is_expression() const { return (brace_expr_ && !after_default_) || after_arrow_; }
  // A word token (identifier or keyword, as written).
  void word(std::string_view w);
  // A complete literal: number, string, regex, template, private name.
  void literal();
  // A punctuator (brackets included) other than the `}` that closes `${`.
  void punct(std::string_view p);
  // A line terminator between tokens (after `return` it ends the statement).
  void newline();
  // `${` inside a template literal / the `}` that closes it.
  void subst_open();
  void subst_close();
  // Whether a `}` now would close a template substitution.
  bool brace_closes_subst() const { return !stack_.empty() && stack_.back().kind == kSubst; }
  std::size_t depth() const { return stack_.size(); }
  void reset();

 private:
  enum : std::uint8_t { kParen, kParenCtl, kParenFnExpr, kBracket, kBraceBlock, kBraceExpr, kBraceFnExpr, kSubst };
  struct Entry {
    std::uint8_t kind;
    std::uint32_t ternary;  // `?` still waiting for their `:`
  };
  std::vector<Entry> stack_;
  std::uint32_t top_ternary_ = 0;
  void push(std::uint8_t kind) { stack_.push_back(Entry{kind, 0}); }
  std::uint8_t pop();
  std::uint32_t &ternary() { return stack_.empty() ? top_ternary_ : stack_.back().ternary; }
  void clear_pending();

  bool regex_ok_ = true;     // `/` now starts a regex literal
  bool brace_expr_ = false;  // `{` now starts an object literal
  bool ctl_next_ = false;    // `(` now is an if/while/for/with head
  bool after_dot_ = false;   // previous token was `.` or `?.`
  bool after_return_ = false;     // previous token was `return` / `yield`
  bool after_default_ = false;    // previous token was `default`
  bool after_arrow_ = false;      // previous token was `=>`
  bool async_expr_ = false;       // `async` seen in expression position
  bool fn_expr_pending_ = false;  // `function` in expression position, before its `(`
  bool fn_body_expr_ = false;     // its `)` closed: the next `{` is an expression body
  bool class_expr_pending_ = false;
  std::size_t class_depth_ = 0;
};

}  // namespace sx::jsscan

namespace sxg {

class JavaScriptLexerBase : public antlr4::Lexer {
 public:
  explicit JavaScriptLexerBase(antlr4::CharStream *input) : antlr4::Lexer(input) {}

  std::unique_ptr<antlr4::Token> nextToken() override;
  void reset() override;

  // Module goal: no HTML-like comments.
  bool module_goal = false;
  // Set when the input ends inside a string, comment, regex or template.
  bool incomplete_at_eof = false;

 protected:
  bool regexAllowed() const { return tracker_.regex_allowed(); }
  bool htmlOpenAllowed() const { return !module_goal; }
  bool htmlCloseAllowed() const { return !module_goal && !token_on_line_; }
  bool atEnd();
  bool atStart() const { return tokenStartCharIndex == 0; }
  bool nextIsDigit();
  void onCloseBrace();
  // Retypes `{`, `function`, `class` that start expressions (see the grammar).
  void retype(antlr4::Token &t);

 private:
  sx::jsscan::SlashTracker tracker_;
  bool token_on_line_ = false;  // a significant token since the last line terminator
};

class JavaScriptParserBase : public antlr4::Parser {
 public:
  explicit JavaScriptParserBase(antlr4::TokenStream *input) : antlr4::Parser(input) {}

  enum class Goal { Script, Module, Repl };
  // Repl: script syntax plus import/export declarations and top-level await.
  Goal goal = Goal::Repl;

  // Per token index (set by the confirm pre-pass before parsing).
  enum : std::uint8_t { kNewlineBefore = 1, kNoIn = 2 };
  const std::vector<std::uint8_t> *token_flags = nullptr;

 protected:
  // Lookahead predicates.
  bool moduleItemsAllowed() const { return goal != Goal::Script; }
  // No line terminator between the previous token and the next one.
  bool noLT();
  // A `;` may be inserted before the next token.
  bool asiOK();
  // Not directly after an arrow function or yield expression (those are
  // AssignmentExpressions; no operator may follow them).
  bool nA();
  void markAssignOnly();
  // `in` is an operator here (not in the head of a for statement).
  bool inOK();

  // Function context.
  bool yieldKw() const { return ctx().gen; }
  bool yieldIdent() const { return !ctx().gen; }
  bool awaitKw() const { return ctx().async; }
  // In a REPL, top-level `await` is both an operator and (as in scripts) an identifier.
  bool awaitIdent() const { return !ctx().await_reserved && (!ctx().async || (goal == Goal::Repl && ctx_.empty())); }
  void enterFunction(bool async, bool gen);
  void enterArrow(bool async);
  void enterField();
  void enterStaticBlock();
  void exitFunction();

 private:
  struct Ctx {
    bool gen = false, async = false, await_reserved = false;
  };
  Ctx ctx() const;
  bool newline_before(antlr4::Token *t) const;
  std::vector<Ctx> ctx_;
  long assign_only_end_ = -2;
};

}  // namespace sxg

#endif
