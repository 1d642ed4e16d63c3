#include "JavaScriptLexerBase.h"

#include <string>

#include "JavaScriptLexer.h"
#include "JavaScriptParser.h"

namespace sx::jsscan {

WordKind classify_word(std::string_view w) {
  switch (w.size()) {
    case 2:
      if (w == "if") return WordKind::Control;
      if (w == "in") return WordKind::ExprKeyword;
      if (w == "do") return WordKind::Keyword;
      break;
    case 3:
      if (w == "for") return WordKind::Control;
      if (w == "new") return WordKind::ExprKeyword;
      if (w == "var" || w == "try") return WordKind::Keyword;
      break;
    case 4:
      if (w == "with") return WordKind::Control;
      if (w == "void" || w == "case") return WordKind::ExprKeyword;
      if (w == "else" || w == "enum") return WordKind::Keyword;
      break;
    case 5:
      if (w == "while") return WordKind::Control;
      if (w == "throw" || w == "yield" || w == "await") return WordKind::ExprKeyword;
      if (w == "break" || w == "catch" || w == "class" || w == "const") return WordKind::Keyword;
      break;
    case 6:
      if (w == "return" || w == "typeof" || w == "delete") return WordKind::ExprKeyword;
      if (w == "switch" || w == "export" || w == "import") return WordKind::Keyword;
      break;
    case 7:
      if (w == "extends") return WordKind::ExprKeyword;
      if (w == "default" || w == "finally") return WordKind::Keyword;
      break;
    case 8:
      if (w == "continue" || w == "debugger" || w == "function") return WordKind::Keyword;
      break;
    case 10:
      if (w == "instanceof") return WordKind::ExprKeyword;
      break;
    default:
      break;
  }
  return WordKind::Name;
}

void SlashTracker::reset() {
  stack_.clear();
  top_ternary_ = 0;
  regex_ok_ = true;
  brace_expr_ = false;
  ctl_next_ = false;
  after_dot_ = false;
  after_return_ = false;
  after_default_ = false;
  after_arrow_ = false;
  async_expr_ = false;
  fn_expr_pending_ = false;
  fn_body_expr_ = false;
  class_expr_pending_ = false;
  class_depth_ = 0;
}

std::uint8_t SlashTracker::pop() {
  if (stack_.empty()) return kBraceBlock;
  std::uint8_t k = stack_.back().kind;
  stack_.pop_back();
  return k;
}

void SlashTracker::clear_pending() {
  after_dot_ = false;
  after_return_ = false;
  after_default_ = false;
  after_arrow_ = false;
  fn_body_expr_ = false;
}

void SlashTracker::newline() {
  // `return` / `yield` followed by a line terminator ends the statement: a
  // `{` on the next line is a block.
  if (after_return_) brace_expr_ = false;
}

void SlashTracker::word(std::string_view w) {
  const bool dot = after_dot_;
  const bool expr_position = brace_expr_;
  const bool was_default = after_default_;
  WordKind k = dot ? WordKind::Name : classify_word(w);
  clear_pending();
  bool was_async_expr = async_expr_;
  async_expr_ = false;
  if (!dot) {
    if (w == "function") fn_expr_pending_ = (expr_position && !was_default) || was_async_expr;
    if (w == "class" && expr_position && !was_default) {
      class_expr_pending_ = true;
      class_depth_ = stack_.size();
    }
    if (w == "async") async_expr_ = expr_position && !was_default;
    if (w == "return" || w == "yield") after_return_ = true;
  }
  if (!dot && w == "default") {
    // `export default {…}`: an object literal; `export default function`: a declaration
    regex_ok_ = true;
    brace_expr_ = true;
    ctl_next_ = false;
    after_default_ = true;
    return;
  }
  if (!dot && w == "of") {
    // `for (x of {…})`
    regex_ok_ = false;
    brace_expr_ = true;
    ctl_next_ = false;
    return;
  }
  switch (k) {
    case WordKind::Name:
      regex_ok_ = false;
      brace_expr_ = false;
      ctl_next_ = false;
      break;
    case WordKind::Keyword:
      regex_ok_ = true;
      brace_expr_ = false;
      ctl_next_ = false;
      break;
    case WordKind::ExprKeyword:
      regex_ok_ = true;
      brace_expr_ = true;
      // `for await (`: keep the pending statement head.
      if (!(ctl_next_ && w == "await")) ctl_next_ = false;
      break;
    case WordKind::Control:
      regex_ok_ = true;
      brace_expr_ = false;
      ctl_next_ = true;
      break;
  }
}

void SlashTracker::literal() {
  clear_pending();
  async_expr_ = false;
  regex_ok_ = false;
  brace_expr_ = false;
  ctl_next_ = false;
}

void SlashTracker::subst_open() {
  clear_pending();
  async_expr_ = false;
  push(kSubst);
  regex_ok_ = true;
  brace_expr_ = true;
  ctl_next_ = false;
}

void SlashTracker::subst_close() {
  clear_pending();
  async_expr_ = false;
  pop();
  regex_ok_ = false;
  brace_expr_ = false;
  ctl_next_ = false;
}

void SlashTracker::punct(std::string_view p) {
  const bool ctl = ctl_next_;
  const bool body_expr = fn_body_expr_;
  ctl_next_ = false;
  clear_pending();
  async_expr_ = false;
  if (p.size() == 1) {
    switch (p[0]) {
      case '(':
        push(ctl ? kParenCtl : fn_expr_pending_ ? kParenFnExpr : kParen);
        fn_expr_pending_ = false;
        regex_ok_ = true;
        brace_expr_ = true;
        return;
      case '[':
        push(kBracket);
        regex_ok_ = true;
        brace_expr_ = true;
        return;
      case '{': {
        // Function / class expression bodies hold statements / members, but a
        // `/` after their `}` is a division.
        bool body = body_expr || (class_expr_pending_ && class_depth_ == stack_.size());
        if (class_expr_pending_ && class_depth_ == stack_.size()) class_expr_pending_ = false;
        push(brace_expr_ ? kBraceExpr : body ? kBraceFnExpr : kBraceBlock);
        regex_ok_ = true;
        brace_expr_ = false;
        return;
      }
      case ')': {
        std::uint8_t k = pop();
        regex_ok_ = k == kParenCtl;
        brace_expr_ = false;
        fn_body_expr_ = k == kParenFnExpr;
        return;
      }
      case ']':
        pop();
        regex_ok_ = false;
        brace_expr_ = false;
        return;
      case '}': {
        std::uint8_t k = pop();
        regex_ok_ = k != kBraceExpr && k != kBraceFnExpr;
        brace_expr_ = false;
        return;
      }
      case ';':
        regex_ok_ = true;
        brace_expr_ = false;
        return;
      case '.':
        after_dot_ = true;
        regex_ok_ = false;
        brace_expr_ = false;
        return;
      case '?':
        ++ternary();
        regex_ok_ = true;
        brace_expr_ = true;
        return;
      case ':': {
        std::uint32_t &t = ternary();
        regex_ok_ = true;
        if (t > 0) {
          --t;
          brace_expr_ = true;
        } else {
          // object literal property vs `case x:` / `default:` / label
          brace_expr_ = !stack_.empty() && stack_.back().kind != kBraceBlock && stack_.back().kind != kBraceFnExpr;
        }
        return;
      }
      default:
        break;
    }
  } else if (p == "?.") {
    after_dot_ = true;
    regex_ok_ = false;
    brace_expr_ = false;
    return;
  } else if (p == "++" || p == "--") {
    regex_ok_ = false;
    brace_expr_ = false;
    return;
  } else if (p == "=>") {
    regex_ok_ = true;
    brace_expr_ = false;
    after_arrow_ = true;
    return;
  }
  regex_ok_ = true;
  brace_expr_ = true;
}

}  // namespace sx::jsscan

namespace sxg {

using L = JavaScriptLexer;

void JavaScriptLexerBase::reset() {
  antlr4::Lexer::reset();
  tracker_.reset();
  token_on_line_ = false;
  incomplete_at_eof = false;
}

bool JavaScriptLexerBase::atEnd() { return _input->LA(1) == antlr4::Token::EOF; }

bool JavaScriptLexerBase::nextIsDigit() {
  size_t c = _input->LA(1);
  return c >= '0' && c <= '9';
}

void JavaScriptLexerBase::retype(antlr4::Token &t) {
  auto *w = dynamic_cast<antlr4::WritableToken *>(&t);
  if (w == nullptr) return;
  switch (t.getType()) {
    case L::OpenBrace:
      if (tracker_.brace_is_object()) w->setType(L::ObjLBrace);
      break;
    case L::Function_:
      if (tracker_.function_is_expression()) w->setType(L::FunctionExprKw);
      break;
    case L::Class:
      if (tracker_.class_is_expression()) w->setType(L::ClassExprKw);
      break;
    default:
      break;
  }
}

void JavaScriptLexerBase::onCloseBrace() {
  if (tracker_.brace_closes_subst() && !modeStack.empty()) {
    setType(L::TemplateSubstEnd);
    popMode();
  }
}

std::unique_ptr<antlr4::Token> JavaScriptLexerBase::nextToken() {
  std::unique_ptr<antlr4::Token> t = antlr4::Lexer::nextToken();
  const size_t type = t->getType();
  if (type == antlr4::Token::EOF) {
    if (!modeStack.empty()) incomplete_at_eof = true;
    return t;
  }
  if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) {
    if (type == L::LineTerminator) {
      token_on_line_ = false;
      tracker_.newline();
    } else if (type == L::MultiLineComment) {
      const std::string text = t->getText();
      // U+2028 / U+2029 are E2 80 A8 / E2 80 A9
      if (text.find('\n') != std::string::npos || text.find('\r') != std::string::npos ||
          text.find("\xE2\x80\xA8") != std::string::npos || text.find("\xE2\x80\xA9") != std::string::npos) {
        token_on_line_ = false;
        tracker_.newline();
      }
    }
    return t;
  }
  token_on_line_ = true;
  retype(*t);
  switch (type) {
    case L::Identifier:
    case L::NullLiteral:
    case L::TrueLiteral:
    case L::FalseLiteral:
    case L::Break: case L::Do: case L::Instanceof: case L::Typeof: case L::Case:
    case L::Else: case L::New: case L::Var: case L::Catch: case L::Finally:
    case L::Return: case L::Void: case L::Continue: case L::For: case L::Switch:
    case L::While: case L::Debugger: case L::Function_: case L::This: case L::With:
    case L::Default: case L::If: case L::Throw: case L::Delete: case L::In:
    case L::Try: case L::Class: case L::Enum: case L::Extends: case L::Super:
    case L::Const: case L::Export: case L::Import: case L::Let: case L::Static:
    case L::Yield: case L::Await: case L::Async: case L::Of: case L::Get: case L::Set:
    case L::From: case L::As: case L::Implements: case L::Interface: case L::Package:
    case L::Private: case L::Protected: case L::Public:
      tracker_.word(t->getText());
      break;
    case L::NumericLiteral:
    case L::BigIntLiteral:
    case L::StringLiteral:
    case L::RegularExpressionLiteral:
    case L::PrivateName:
    case L::BackTickEnd:
      tracker_.literal();
      break;
    case L::BackTick:
    case L::TemplateChars:
    case L::TemplateDollar:
    case L::TemplateBackslash:
      break;
    case L::TemplateSubstStart:
      tracker_.subst_open();
      break;
    case L::TemplateSubstEnd:
      tracker_.subst_close();
      break;
    case L::UnterminatedString:
    case L::UnterminatedComment:
      if (t->getStopIndex() + 1 >= _input->size()) incomplete_at_eof = true;
      tracker_.literal();
      break;
    case L::UnterminatedRegex:
      incomplete_at_eof = true;
      tracker_.literal();
      break;
    case L::UnexpectedCharacter:
      break;
    default:
      tracker_.punct(t->getText());
      break;
  }
  return t;
}

// ------------------------------------------------------------------ parser

using P = JavaScriptParser;

JavaScriptParserBase::Ctx JavaScriptParserBase::ctx() const {
  if (!ctx_.empty()) return ctx_.back();
  Ctx c;
  if (goal == Goal::Module) {
    c.async = true;
    c.await_reserved = true;
  } else if (goal == Goal::Repl) {
    c.async = true;  // top-level await
  }
  return c;
}

bool JavaScriptParserBase::newline_before(antlr4::Token *t) const {
  if (t == nullptr || token_flags == nullptr) return false;
  size_t i = t->getTokenIndex();
  return i < token_flags->size() && ((*token_flags)[i] & kNewlineBefore) != 0;
}

bool JavaScriptParserBase::noLT() { return !newline_before(_input->LT(1)); }

bool JavaScriptParserBase::asiOK() {
  antlr4::Token *t = _input->LT(1);
  size_t type = t->getType();
  return type == antlr4::Token::EOF || type == P::CloseBrace || newline_before(t);
}

bool JavaScriptParserBase::nA() {
  antlr4::Token *prev = _input->LT(-1);
  return prev == nullptr || static_cast<long>(prev->getTokenIndex()) != assign_only_end_;
}

void JavaScriptParserBase::markAssignOnly() {
  antlr4::Token *prev = _input->LT(-1);
  if (prev != nullptr) assign_only_end_ = static_cast<long>(prev->getTokenIndex());
}

bool JavaScriptParserBase::inOK() {
  antlr4::Token *t = _input->LT(1);
  if (token_flags == nullptr) return true;
  size_t i = t->getTokenIndex();
  return i >= token_flags->size() || ((*token_flags)[i] & kNoIn) == 0;
}

void JavaScriptParserBase::enterFunction(bool async, bool gen) {
  Ctx c;
  c.async = async;
  c.gen = gen;
  c.await_reserved = goal == Goal::Module;
  ctx_.push_back(c);
}

void JavaScriptParserBase::enterArrow(bool async) {
  Ctx outer = ctx();
  Ctx c;
  c.async = async;
  c.gen = false;
  c.await_reserved = goal == Goal::Module || outer.async || outer.await_reserved;
  ctx_.push_back(c);
}

void JavaScriptParserBase::enterField() {
  Ctx c;
  c.await_reserved = true;
  ctx_.push_back(c);
}

void JavaScriptParserBase::enterStaticBlock() {
  Ctx c;
  c.await_reserved = true;
  ctx_.push_back(c);
}

void JavaScriptParserBase::exitFunction() {
  if (!ctx_.empty()) ctx_.pop_back();
}

}  // namespace sxg
