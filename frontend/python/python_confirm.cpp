#include "frontend/python/python_confirm.h"
#include "frontend/stack_budget.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "PythonLexer.h"
#include "PythonParser.h"
#include "antlr4-runtime.h"

namespace sx {
namespace {

using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::tree::ParseTree;
using antlr4::tree::TerminalNode;
using sxg::PythonLexer;
using sxg::PythonParser;
using P = sxg::PythonParser;

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

// ------------------------------------------------------------------ source text

// The text as code points for ANTLR, with the byte offset of every code point
// (ANTLR positions are code point indices; ours are byte offsets).
class Source {
 public:
  explicit Source(std::string_view bytes) : bytes_(bytes) { decode(); }

  const std::u32string &code_points() const { return cps_; }
  std::size_t size() const { return cps_.size(); }
  std::size_t first_invalid_byte() const { return first_invalid_; }
  std::string_view bytes() const { return bytes_; }

  std::uint64_t offset_of(std::size_t cp) const {
    if (cp >= cps_.size()) return bytes_.size();
    return ascii_ ? cp : byte_of_[cp];
  }

  Pos pos_of_byte(std::uint64_t off) const {
    if (off > bytes_.size()) off = bytes_.size();
    Pos p;
    p.offset = off;
    std::uint64_t line_start = 0;
    std::uint32_t line = 1;
    for (std::uint64_t i = 0; i < off; ++i) {
      char c = bytes_[i];
      if (c == '\n' || (c == '\r' && !(i + 1 < bytes_.size() && bytes_[i + 1] == '\n'))) {
        ++line;
        line_start = i + 1;
      }
    }
    p.line = line;
    p.col = static_cast<std::uint32_t>(off - line_start);
    return p;
  }
  Pos pos_of(std::size_t cp) const { return pos_of_byte(offset_of(cp)); }
  std::uint32_t line_of(std::size_t cp) const { return pos_of(cp).line; }

 private:
  void decode() {
    cps_.reserve(bytes_.size());
    const auto *s = reinterpret_cast<const unsigned char *>(bytes_.data());
    std::size_t n = bytes_.size();
    std::size_t i = 0;
    while (i < n && s[i] < 0x80) cps_.push_back(s[i++]);
    if (i == n) return;
    ascii_ = false;
    byte_of_.reserve(n);
    for (std::size_t k = 0; k < i; ++k) byte_of_.push_back(static_cast<std::uint32_t>(k));
    while (i < n) {
      unsigned char c = s[i];
      char32_t cp = 0xFFFD;
      std::size_t len = 1;
      if (c < 0x80) {
        cp = c;
      } else {
        std::size_t need = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xC2 && c <= 0xDF ? 1 : 0;
        bool ok = need > 0 && i + need < n;
        if (ok) {
          char32_t v = need == 1 ? (c & 0x1F) : need == 2 ? (c & 0x0F) : (c & 0x07);
          for (std::size_t k = 1; k <= need; ++k) {
            unsigned char cc = s[i + k];
            if ((cc & 0xC0) != 0x80) { ok = false; break; }
            v = (v << 6) | (cc & 0x3F);
          }
          if (ok) {
            if ((need == 2 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
                (need == 3 && (v < 0x10000 || v > 0x10FFFF)))
              ok = false;
          }
          if (ok) {
            cp = v;
            len = need + 1;
          }
        }
        if (!ok && first_invalid_ == npos) first_invalid_ = i;
      }
      cps_.push_back(cp);
      byte_of_.push_back(static_cast<std::uint32_t>(i));
      i += len;
    }
  }

  std::string_view bytes_;
  std::u32string cps_;
  std::vector<std::uint32_t> byte_of_;
  bool ascii_ = true;
  std::size_t first_invalid_ = npos;
};

// ANTLRInputStream over already decoded code points.
class U32Stream : public antlr4::ANTLRInputStream {
 public:
  explicit U32Stream(const std::u32string &data) {
    _data = data;
    p = 0;
  }
};

// ------------------------------------------------------------------ errors

// The lexer has a catch-all rule (ERROR_CHAR), so it should never report an
// error; if it does, the position is kept and treated as a syntax error.
class LexerErrors : public antlr4::BaseErrorListener {
 public:
  std::size_t first = npos;
  void syntaxError(antlr4::Recognizer *recognizer, Token *, std::size_t, std::size_t, const std::string &,
                   std::exception_ptr) override {
    auto *lexer = dynamic_cast<antlr4::Lexer *>(recognizer);
    if (lexer && first == npos) first = lexer->tokenStartCharIndex;
  }
};

// Remembers the furthest token the parser has looked at. ANTLR may report an
// error at an earlier token than the one where no alternative survived (when
// prediction fails it may first leave the rule, and the error then shows at
// the decision's start); the furthest token is where the input stopped being
// a prefix of any valid program, which is what Incomplete/Error needs.
class TrackingTokenStream : public antlr4::CommonTokenStream {
 public:
  using antlr4::CommonTokenStream::CommonTokenStream;
  std::size_t furthest = 0;

  Token *LT(ssize_t k) override {
    Token *t = antlr4::CommonTokenStream::LT(k);
    if (t && k > 0 && t->getTokenIndex() != npos && t->getTokenIndex() > furthest) furthest = t->getTokenIndex();
    return t;
  }
  std::size_t LA(ssize_t i) override { return LT(i)->getType(); }
};

// Stops at the first syntax error and remembers its token.
class FirstErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  Token *offending = nullptr;
  bool expected_indent = false;
  bool expected_except_finally = false;

  void clear() {
    offending = nullptr;
    expected_indent = expected_except_finally = false;
  }

  void reportError(antlr4::Parser *p, const antlr4::RecognitionException &e) override {
    record(p, e.getOffendingToken() ? e.getOffendingToken() : p->getCurrentToken());
  }
  Token *recoverInline(antlr4::Parser *p) override {
    record(p, p->getCurrentToken());
    return nullptr;
  }
  void recover(antlr4::Parser *, std::exception_ptr) override { throw antlr4::ParseCancellationException(); }
  // No resynchronisation (the default peeks a token further to try a
  // single-token deletion); errors are found by prediction and match().
  void sync(antlr4::Parser *) override {}

 protected:
  void reportUnwantedToken(antlr4::Parser *p) override { record(p, p->getCurrentToken()); }
  void reportMissingToken(antlr4::Parser *p) override { record(p, p->getCurrentToken()); }

 private:
  [[noreturn]] void record(antlr4::Parser *p, Token *t) {
    if (!offending) {
      offending = t;
      try {
        antlr4::misc::IntervalSet exp = p->getExpectedTokens();
        expected_indent = exp.contains(static_cast<size_t>(PythonLexer::INDENT));
        bool ef = exp.contains(static_cast<size_t>(PythonLexer::EXCEPT)) || exp.contains(static_cast<size_t>(PythonLexer::FINALLY));
        bool other = false;
        for (ssize_t v : exp.toList())
          if (v != static_cast<ssize_t>(PythonLexer::EXCEPT) && v != static_cast<ssize_t>(PythonLexer::FINALLY))
            other = true;
        expected_except_finally = ef && !other;
      } catch (...) {
      }
    }
    throw antlr4::ParseCancellationException();
  }
};

// Bounds the parser's recursion, i.e. its stack use: nesting that is not
// brackets (`- - - … 1`, `not not …`, long `**` or lambda chains) would
// otherwise recurse without limit. The guard measures the stack itself, so
// it does not depend on the grammar's depth per level: 200 nested brackets
// (CPython's maximum) use well under kStackBudget.
constexpr std::uintptr_t kStackBudget = 3u << 20;  // bytes

class GuardedParser : public PythonParser {
 public:
  using PythonParser::PythonParser;
  std::uintptr_t stack_base = 0;
  std::uintptr_t stack_budget = kStackBudget;
  Token *too_deep_at = nullptr;

  void enterRule(ParserRuleContext *localctx, std::size_t state, std::size_t ruleIndex) override {
    // The frame address, not a local's: under ASan's use-after-return
    // detection locals live on a heap "fake stack".
    auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    std::uintptr_t used = stack_base > here ? stack_base - here : 0;
    if (used > stack_budget) {
      if (!too_deep_at) too_deep_at = getCurrentToken();
      throw antlr4::ParseCancellationException();
    }
    PythonParser::enterRule(localctx, state, ruleIndex);
  }
};

// ------------------------------------------------------------------ tree analysis

// The shape of an expression subtree, for target checks (like CPython's
// expression kinds).
enum class Shape {
  Name, Attribute, Subscript, Call, Tuple, List, Starred, Literal, True_, False_, None_, Ellipsis,
  Compare, Operator, IfExp, Lambda, Await, Yield, NamedExpr, GenExp, ListComp, SetComp, DictComp,
  Dict, Set, FString, Other
};

const char *shape_name(Shape s) {
  switch (s) {
    case Shape::Name: return "name";
    case Shape::Attribute: return "attribute";
    case Shape::Subscript: return "subscript";
    case Shape::Call: return "function call";
    case Shape::Tuple: return "tuple";
    case Shape::List: return "list";
    case Shape::Starred: return "starred";
    case Shape::Literal: return "literal";
    case Shape::True_: return "True";
    case Shape::False_: return "False";
    case Shape::None_: return "None";
    case Shape::Ellipsis: return "ellipsis";
    case Shape::Compare: return "comparison";
    case Shape::Operator: return "expression";
    case Shape::IfExp: return "conditional expression";
    case Shape::Lambda: return "lambda";
    case Shape::Await: return "await expression";
    case Shape::Yield: return "yield expression";
    case Shape::NamedExpr: return "named expression";
    case Shape::GenExp: return "generator expression";
    case Shape::ListComp: return "list comprehension";
    case Shape::SetComp: return "set comprehension";
    case Shape::DictComp: return "dict comprehension";
    case Shape::Dict: return "dict literal";
    case Shape::Set: return "set display";
    case Shape::FString: return "f-string expression";
    case Shape::Other: return "expression";
  }
  return "expression";
}

struct Node {
  Shape shape = Shape::Other;
  ParseTree *tree = nullptr;         // the subtree (for positions)
  std::vector<ParseTree *> elts;     // Tuple / List elements
  ParseTree *inner = nullptr;        // Starred operand
  Token *name = nullptr;             // Name token
};

struct StringInfo {
  bool bytes = false, fstring = false, raw = false, non_ascii = false;
  std::size_t body = 0;  // index of the opening quote
};

StringInfo string_info(const std::string &tok) {
  StringInfo si;
  std::size_t i = 0;
  while (i < tok.size() && tok[i] != '\'' && tok[i] != '"') {
    char c = tok[i++];
    if (c == 'b' || c == 'B') si.bytes = true;
    if (c == 'f' || c == 'F') si.fstring = true;
    if (c == 'r' || c == 'R') si.raw = true;
  }
  si.body = i;
  for (; i < tok.size(); ++i)
    if (static_cast<unsigned char>(tok[i]) >= 0x80) si.non_ascii = true;
  return si;
}

// The shape of an f-string's replacement fields (Python 3.11 rules); "" if
// fine. The expressions themselves are not parsed.
class FStringCheck {
 public:
  FStringCheck(const std::string &tok, const StringInfo &si) : t_(tok), raw_(si.raw) {
    std::size_t b = si.body;
    std::size_t q = tok.size() - b >= 6 && tok[b] == tok[b + 1] && tok[b] == tok[b + 2] ? 3 : 1;
    i_ = b + q;
    end_ = tok.size() - q;
  }

  std::string run() {
    while (i_ < end_ && error_.empty()) {
      char c = t_[i_];
      if (c == '\\' && !raw_) {
        skip_escape();
      } else if ((c == '{' || c == '}') && i_ + 1 < end_ && t_[i_ + 1] == c) {
        i_ += 2;  // {{ or }}
      } else if (c == '}') {
        return "f-string: single '}' is not allowed";
      } else if (c == '{') {
        ++i_;
        field(0);
      } else {
        ++i_;
      }
    }
    return error_;
  }

 private:
  void skip_escape() {
    if (i_ + 2 < end_ && t_[i_ + 1] == 'N' && t_[i_ + 2] == '{') {  // \N{NAME}
      std::size_t close = t_.find('}', i_);
      i_ = close == std::string::npos || close >= end_ ? end_ : close + 1;
    } else {
      i_ += 2;
    }
  }

  // After the '{' of a replacement field: expression, !conversion,
  // :format spec (which may contain one more level of fields), '}'.
  void field(int level) {
    std::size_t start = i_;
    int depth = 0;
    char quote = 0;
    std::size_t quote_len = 0;
    for (; i_ < end_; ++i_) {
      char e = t_[i_];
      if (e == '\\') return fail("f-string expression part cannot include a backslash");
      if (quote) {
        if (e == quote && (quote_len == 1 || (i_ + 2 < end_ && t_[i_ + 1] == quote && t_[i_ + 2] == quote))) {
          i_ += quote_len - 1;
          quote = 0;
        }
        continue;
      }
      if (e == '\'' || e == '"') {
        quote = e;
        quote_len = i_ + 2 < end_ && t_[i_ + 1] == e && t_[i_ + 2] == e ? 3 : 1;
        i_ += quote_len - 1;
      } else if (e == '#') {
        return fail("f-string expression part cannot include '#'");
      } else if (e == '(' || e == '[' || e == '{') {
        ++depth;
      } else if ((e == ')' || e == ']' || e == '}') && depth > 0) {
        --depth;
      } else if (depth == 0 && (e == '}' || e == ':' || (e == '!' && i_ + 1 < end_ && t_[i_ + 1] != '='))) {
        break;
      }
    }
    if (t_.find_first_not_of(" \t\r\n\f", start) >= i_) return fail("f-string: empty expression not allowed");
    if (i_ < end_ && t_[i_] == '!') i_ += 2;  // conversion character
    if (i_ < end_ && t_[i_] == ':') {
      for (++i_; i_ < end_ && t_[i_] != '}';) {
        if (t_[i_] == '\\' && !raw_) {
          skip_escape();
        } else if (t_[i_] == '{') {
          if (level > 0) return fail("f-string: expressions nested too deeply");
          ++i_;
          field(level + 1);
          if (!error_.empty()) return;
        } else {
          ++i_;
        }
      }
    }
    if (i_ >= end_ || t_[i_] != '}') return fail("f-string: expecting '}'");
    ++i_;
  }

  void fail(const char *m) {
    if (error_.empty()) error_ = m;
    i_ = end_;
  }

  const std::string &t_;
  bool raw_;
  std::size_t i_ = 0, end_ = 0;
  std::string error_;
};

std::string bad_fstring(const std::string &tok, const StringInfo &si) { return FStringCheck(tok, si).run(); }

// The escape sequences CPython rejects when it decodes a (non-raw,
// non-f) string literal; "" if they are all valid. \N{name} is only
// checked for its form (the Unicode name table is not available here).
std::string bad_escape(const std::string &tok, const StringInfo &si) {
  if (si.raw) return {};
  std::size_t q = tok.size() - si.body >= 6 && tok[si.body] == tok[si.body + 1] && tok[si.body] == tok[si.body + 2] ? 3 : 1;
  std::size_t i = si.body + q, end = tok.size() - q;
  auto hex = [&](std::size_t from, std::size_t n) {
    if (from + n > end) return false;
    for (std::size_t k = from; k < from + n; ++k)
      if (!std::isxdigit(static_cast<unsigned char>(tok[k]))) return false;
    return true;
  };
  for (; i < end; ++i) {
    if (tok[i] != '\\' || i + 1 >= end) continue;
    char c = tok[++i];
    if (c == 'x' && !hex(i + 1, 2))
      return si.bytes ? "(value error) invalid \\x escape" : "(unicode error) truncated \\xXX escape";
    if (si.bytes) continue;
    if (c == 'u' && !hex(i + 1, 4)) return "(unicode error) truncated \\uXXXX escape";
    if (c == 'U') {
      if (!hex(i + 1, 8)) return "(unicode error) truncated \\UXXXXXXXX escape";
      if (std::stoul(tok.substr(i + 1, 8), nullptr, 16) > 0x10FFFF) return "(unicode error) illegal Unicode character";
    }
    if (c == 'N') {
      std::size_t close = tok.find('}', i);
      if (i + 1 >= end || tok[i + 1] != '{' || close == std::string::npos || close >= end || close == i + 2)
        return "(unicode error) malformed \\N character escape";
    }
  }
  return {};
}

Node classify(ParseTree *t) {
  Node n;
  for (;;) {
    n.tree = t;
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (!ctx) return n;
    switch (ctx->getRuleIndex()) {
      case P::RuleStar_expressions: {
        auto *c = static_cast<P::Star_expressionsContext *>(ctx);
        auto e = c->star_expression();
        if (e.size() == 1 && c->COMMA().empty()) { t = e[0]; continue; }
        n.shape = Shape::Tuple;
        n.elts.assign(e.begin(), e.end());
        return n;
      }
      case P::RuleTarget_list: {
        auto *c = static_cast<P::Target_listContext *>(ctx);
        auto e = c->target();
        if (e.size() == 1 && c->COMMA().empty()) { t = e[0]; continue; }
        n.shape = Shape::Tuple;
        n.elts.assign(e.begin(), e.end());
        return n;
      }
      case P::RuleStar_expression: {
        auto *c = static_cast<P::Star_expressionContext *>(ctx);
        if (c->STAR()) { n.shape = Shape::Starred; n.inner = c->bitwise_or(); return n; }
        t = c->expression();
        continue;
      }
      case P::RuleStar_named_expression: {
        auto *c = static_cast<P::Star_named_expressionContext *>(ctx);
        if (c->STAR()) { n.shape = Shape::Starred; n.inner = c->bitwise_or(); return n; }
        t = c->named_expression();
        continue;
      }
      case P::RuleTarget: {
        auto *c = static_cast<P::TargetContext *>(ctx);
        if (c->STAR()) { n.shape = Shape::Starred; n.inner = c->bitwise_or(); return n; }
        t = c->bitwise_or();
        continue;
      }
      case P::RuleNamed_expression: {
        auto *c = static_cast<P::Named_expressionContext *>(ctx);
        if (c->WALRUS()) { n.shape = Shape::NamedExpr; return n; }
        t = c->expression();
        continue;
      }
      case P::RuleAssign_rhs: {
        auto *c = static_cast<P::Assign_rhsContext *>(ctx);
        if (c->yield_expr()) { n.shape = Shape::Yield; return n; }
        t = c->star_expressions();
        continue;
      }
      case P::RuleYield_expr: n.shape = Shape::Yield; return n;
      case P::RuleExpression: {
        auto *c = static_cast<P::ExpressionContext *>(ctx);
        if (c->lambdef()) { n.shape = Shape::Lambda; return n; }
        if (c->IF()) { n.shape = Shape::IfExp; return n; }
        t = c->disjunction(0);
        continue;
      }
      case P::RuleInversion: {
        auto *c = static_cast<P::InversionContext *>(ctx);
        if (c->NOT()) { n.shape = Shape::Operator; return n; }
        t = c->comparison();
        continue;
      }
      case P::RuleComparison: {
        if (ctx->children.size() > 1) { n.shape = Shape::Compare; return n; }
        t = ctx->children[0];
        continue;
      }
      case P::RuleDisjunction:
      case P::RuleConjunction:
      case P::RuleBitwise_or:
      case P::RuleBitwise_xor:
      case P::RuleBitwise_and:
      case P::RuleShift_expr:
      case P::RuleSum:
      case P::RuleTerm:
      case P::RuleFactor:
      case P::RulePower:
        if (ctx->children.size() > 1) { n.shape = Shape::Operator; return n; }
        t = ctx->children[0];
        continue;
      case P::RuleAwait_primary: {
        auto *c = static_cast<P::Await_primaryContext *>(ctx);
        if (c->AWAIT()) { n.shape = Shape::Await; return n; }
        t = c->primary();
        continue;
      }
      case P::RulePrimary: {
        auto *c = static_cast<P::PrimaryContext *>(ctx);
        auto tr = c->trailer();
        if (tr.empty()) { t = c->atom(); continue; }
        auto *last = tr.back();
        n.shape = last->LPAR() ? Shape::Call : last->LSQB() ? Shape::Subscript : Shape::Attribute;
        return n;
      }
      case P::RuleAtom: {
        auto *c = static_cast<P::AtomContext *>(ctx);
        if (c->name()) { n.shape = Shape::Name; n.name = c->name()->getStart(); return n; }
        if (c->TRUE()) { n.shape = Shape::True_; return n; }
        if (c->FALSE()) { n.shape = Shape::False_; return n; }
        if (c->NONE()) { n.shape = Shape::None_; return n; }
        if (c->ELLIPSIS()) { n.shape = Shape::Ellipsis; return n; }
        if (c->NUMBER()) { n.shape = Shape::Literal; return n; }
        if (!c->STRING().empty()) {
          n.shape = Shape::Literal;
          for (auto *s : c->STRING())
            if (string_info(s->getText()).fstring) n.shape = Shape::FString;
          return n;
        }
        if (c->LPAR()) {
          if (c->yield_expr()) { n.shape = Shape::Yield; return n; }
          auto *tc = c->testlist_comp();
          if (!tc) { n.shape = Shape::Tuple; return n; }
          if (tc->comp_for()) { n.shape = Shape::GenExp; return n; }
          auto e = tc->star_named_expression();
          if (e.size() == 1 && tc->COMMA().empty()) { t = e[0]; continue; }
          n.shape = Shape::Tuple;
          n.elts.assign(e.begin(), e.end());
          return n;
        }
        if (c->LSQB()) {
          auto *tc = c->testlist_comp();
          n.shape = Shape::List;
          if (!tc) return n;
          if (tc->comp_for()) { n.shape = Shape::ListComp; return n; }
          auto e = tc->star_named_expression();
          n.elts.assign(e.begin(), e.end());
          return n;
        }
        if (c->LBRACE()) {
          auto *d = c->dictorsetmaker();
          if (!d) { n.shape = Shape::Dict; return n; }
          bool dict = !d->dict_item().empty();
          n.shape = d->comp_for() ? (dict ? Shape::DictComp : Shape::SetComp) : (dict ? Shape::Dict : Shape::Set);
          return n;
        }
        return n;
      }
      default:
        return n;
    }
  }
}

const std::unordered_set<std::string> &future_features() {
  static const std::unordered_set<std::string> f = {
      "nested_scopes", "generators",      "division",       "absolute_import", "with_statement",
      "print_function", "unicode_literals", "barry_as_FLUFL", "generator_stop",  "annotations"};
  return f;
}

// Walks a successfully parsed unit: CPython's compile-time checks that the
// grammar leaves out, the unit's kind, defined and used names.
class Analyzer {
 public:
  Analyzer() = default;

  std::size_t error_index = npos;  // code point index of the first error found
  std::string error_message;
  UnitKind kind = UnitKind::Other;
  std::vector<std::string> defines, uses;
  bool has_future = false;
  std::size_t future_index = 0;
  bool leading_docstring = false;
  bool future_window = true;

  void run(P::File_inputContext *file) {
    stack_base_ = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    stack_budget_ = sx::stack_budget(stack_base_, kStackBudget);
    scopes_.push_back({Scope::Module, 0, 0});
    bool first = true;
    bool window_open = true;  // future imports still allowed within this unit
    for (auto *st : file->statement()) {
      if (first) kind = statement_kind(st);
      if (auto *ss = st->simple_stmts()) {
        for (auto *s : ss->simple_stmt()) {
          future_order(s, first, window_open);
          first = false;
        }
      } else {
        future_window = false;
        window_open = false;
        first = false;
      }
      statement(st);
    }
  }

 private:
  std::uintptr_t stack_base_ = 0, stack_budget_ = kStackBudget;
  enum class Scope { Module, Class, Function, AsyncFunction, Lambda };
  struct Frame {
    Scope scope;
    int loops;
    int genexp = 0;  // inside a generator expression (where `await` is allowed)
  };

  // ---------------------------------------------------------- helpers

  void error(ParseTree *at, const std::string &msg) { error_at(start_of(at), msg); }
  void error_at(std::size_t index, const std::string &msg) {
    if (index < error_index) {
      error_index = index;
      error_message = msg;
    }
  }
  static std::size_t start_of(ParseTree *t) {
    if (auto *c = dynamic_cast<ParserRuleContext *>(t)) return c->getStart()->getStartIndex();
    if (auto *tn = dynamic_cast<TerminalNode *>(t)) return tn->getSymbol()->getStartIndex();
    return 0;
  }
  bool module_level() const { return scopes_.back().scope == Scope::Module; }
  Scope scope() const { return scopes_.back().scope; }

  void add_define(const std::string &n) {
    if (defined_.insert(n).second) defines.push_back(n);
  }
  void add_use(const std::string &n) {
    if (used_.insert(n).second) uses.push_back(n);
  }

  // A name bound here: at module level it is a define.
  void bind(Token *t) {
    stores_.insert(t->getStartIndex());
    if (module_level()) add_define(t->getText());
  }

  UnitKind statement_kind(P::StatementContext *st) {
    if (auto *c = st->compound_stmt()) {
      if (c->funcdef() || c->async_funcdef()) return UnitKind::Function;
      if (c->classdef()) return UnitKind::Class;
      if (auto *d = c->decorated()) return d->classdef() ? UnitKind::Class : UnitKind::Function;
      return UnitKind::Control;
    }
    auto *s = st->simple_stmts()->simple_stmt(0);
    if (s->import_stmt()) return UnitKind::Import;
    if (auto *e = s->expr_stmt()) {
      if (e->annassign() || e->augassign() || !e->ASSIGN().empty()) return UnitKind::Assign;
      return UnitKind::Expr;
    }
    return UnitKind::Other;
  }

  static bool is_docstring(P::Simple_stmtContext *s) {
    auto *e = s->expr_stmt();
    if (!e || e->annassign() || e->augassign() || !e->ASSIGN().empty()) return false;
    Node n = classify(e->star_expressions());
    if (n.shape != Shape::Literal) return false;
    auto *atom = dynamic_cast<P::AtomContext *>(n.tree);
    if (!atom || atom->STRING().empty()) return false;
    for (auto *s2 : atom->STRING())
      if (string_info(s2->getText()).bytes) return false;
    return true;
  }

  static bool is_future_import(P::Simple_stmtContext *s) {
    auto *i = s->import_stmt();
    if (!i || !i->import_from()) return false;
    auto *f = i->import_from();
    return !f->relative_dots() && f->dotted_name() && f->dotted_name()->getText() == "__future__";
  }

  void future_order(P::Simple_stmtContext *s, bool first, bool &window_open) {
    bool fut = is_future_import(s);
    if (first && is_docstring(s)) {
      leading_docstring = true;
      return;
    }
    if (fut) {
      if (!has_future) {
        has_future = true;
        future_index = start_of(s);
      }
      if (!window_open) error(s, "from __future__ imports must occur at the beginning of the file");
      return;
    }
    window_open = false;
    future_window = false;
  }

  // ---------------------------------------------------------- statements

  void statement(P::StatementContext *st) {
    if (auto *c = st->compound_stmt()) compound(c);
    else simple_stmts(st->simple_stmts());
  }

  void simple_stmts(P::Simple_stmtsContext *ss) {
    for (auto *s : ss->simple_stmt()) simple(s);
  }

  void block(P::BlockContext *b) {
    if (auto *ss = b->simple_stmts()) simple_stmts(ss);
    else
      for (auto *st : b->statement()) statement(st);
  }

  void loop_block(P::BlockContext *b) {
    ++scopes_.back().loops;
    block(b);
    --scopes_.back().loops;
  }

  void simple(P::Simple_stmtContext *s) {
    if (auto *e = s->expr_stmt()) return expr_stmt(e);
    if (auto *r = s->return_stmt()) {
      if (scope() != Scope::Function && scope() != Scope::AsyncFunction) error(r, "'return' outside function");
      if (auto *v = r->star_expressions()) no_bare_star(v);
      return walk(r);
    }
    if (auto *i = s->import_stmt()) return import(i);
    if (auto *b = s->break_stmt()) {
      if (scopes_.back().loops == 0) error(b, "'break' outside loop");
      return;
    }
    if (auto *c = s->continue_stmt()) {
      if (scopes_.back().loops == 0) error(c, "'continue' not properly in loop");
      return;
    }
    if (auto *n = s->nonlocal_stmt()) {
      if (module_level()) error(n, "nonlocal declaration not allowed at module level");
      return;
    }
    if (auto *d = s->del_stmt()) {
      store_target(d->target_list(), Target::Del);
      return walk(d);
    }
    return walk(s);  // raise, pass, yield, assert, global
  }

  void expr_stmt(P::Expr_stmtContext *e) {
    auto *lhs = e->star_expressions();
    if (auto *ann = e->annassign()) {
      Node n = classify(lhs);
      if (n.shape == Shape::Tuple) error(lhs, "only single target (not tuple) can be annotated");
      else if (n.shape == Shape::List) error(lhs, "only single target (not list) can be annotated");
      else if (n.shape == Shape::Name) {
        stores_.insert(n.name->getStartIndex());
        if (ann->ASSIGN() && module_level()) add_define(n.name->getText());
      } else if (n.shape != Shape::Attribute && n.shape != Shape::Subscript)
        error(lhs, "illegal target for annotation");
      if (auto *rhs = ann->assign_rhs()) rhs_check(rhs);
    } else if (auto *aug = e->augassign()) {
      (void)aug;
      Node n = classify(lhs);
      if (n.shape == Shape::Name) {
        if (module_level()) add_define(n.name->getText());
        // also read: stays a use
      } else if (n.shape != Shape::Attribute && n.shape != Shape::Subscript) {
        error(lhs, std::string("'") + shape_name(n.shape) + "' is an illegal expression for augmented assignment");
      }
      rhs_check(e->assign_rhs(0));
    } else if (!e->ASSIGN().empty()) {
      auto rhs = e->assign_rhs();
      store_target(lhs, Target::Assign);
      for (std::size_t i = 0; i + 1 < rhs.size(); ++i) {
        if (rhs[i]->yield_expr()) error(rhs[i], "assignment to yield expression not possible");
        else store_target(rhs[i]->star_expressions(), Target::Assign);
      }
      rhs_check(rhs.back());
    } else {
      no_bare_star(lhs);
    }
    walk(e);
  }

  void rhs_check(P::Assign_rhsContext *r) {
    if (auto *s = r->star_expressions()) no_bare_star(s);
  }

  // `*a` alone (no comma) where a value is needed.
  void no_bare_star(P::Star_expressionsContext *s) {
    if (s->COMMA().empty() && s->star_expression().size() == 1 && s->star_expression(0)->STAR())
      error(s, "can't use starred expression here");
  }

  enum class Target { Assign, Del, Local };

  void store_target(ParseTree *t, Target mode) {
    Node n = classify(t);
    switch (n.shape) {
      case Shape::Name: {
        std::string name = n.name->getText();
        if (name == "__debug__")
          error(t, mode == Target::Del ? "cannot delete __debug__" : "cannot assign to __debug__");
        if (mode == Target::Del) stores_.insert(n.name->getStartIndex());
        else if (mode == Target::Local) stores_.insert(n.name->getStartIndex());
        else bind(n.name);
        return;
      }
      case Shape::Attribute:
      case Shape::Subscript:
        return;
      case Shape::Tuple:
      case Shape::List: {
        int stars = 0;
        for (auto *el : n.elts) {
          Node en = classify(el);
          if (en.shape == Shape::Starred) {
            if (mode == Target::Del) {
              error(el, "cannot delete starred");
              continue;
            }
            if (++stars > 1) error(el, "multiple starred expressions in assignment");
            store_target(en.inner, mode);
          } else {
            store_target(el, mode);
          }
        }
        return;
      }
      case Shape::Starred:
        if (mode == Target::Del) error(t, "cannot delete starred");
        else error(t, "starred assignment target must be in a list or tuple");
        return;
      default:
        error(n.tree, std::string(mode == Target::Del ? "cannot delete " : "cannot assign to ") +
                          shape_name(n.shape));
        return;
    }
  }

  void import(P::Import_stmtContext *i) {
    if (auto *in = i->import_name()) {
      for (auto *d : in->dotted_as_names()->dotted_as_name()) {
        if (d->name()) add_define_if_module(d->name()->getText());
        else add_define_if_module(d->dotted_name()->name(0)->getText());
      }
      return;
    }
    auto *f = i->import_from();
    auto *t = f->import_from_targets();
    bool future = !f->relative_dots() && f->dotted_name() && f->dotted_name()->getText() == "__future__";
    if (t->STAR()) {
      if (future) error(t, "future feature * is not defined");
      return;
    }
    for (auto *a : t->import_as_names()->import_as_name()) {
      std::string feature = a->name(0)->getText();
      if (future) {
        if (feature == "braces") error(a, "not a chance");
        else if (!future_features().count(feature)) error(a, "future feature " + feature + " is not defined");
      }
      add_define_if_module(a->name().size() > 1 ? a->name(1)->getText() : feature);
    }
  }

  void add_define_if_module(const std::string &n) {
    if (module_level()) add_define(n);
  }

  void compound(P::Compound_stmtContext *c) {
    if (auto *s = c->if_stmt()) {
      walk(s->named_expression());
      block(s->block());
      for (auto *e : s->elif_clause()) {
        walk(e->named_expression());
        block(e->block());
      }
      if (auto *e = s->else_clause()) block(e->block());
    } else if (auto *s = c->while_stmt()) {
      walk(s->named_expression());
      loop_block(s->block());
      if (auto *e = s->else_clause()) block(e->block());
    } else if (auto *s = c->for_stmt()) {
      for_stmt(s);
    } else if (auto *s = c->try_stmt()) {
      block(s->block());
      auto ex = s->except_clause();
      for (std::size_t i = 0; i < ex.size(); ++i) {
        if (!ex[i]->expression() && i + 1 < ex.size()) error(ex[i], "default 'except:' must be last");
        if (ex[i]->expression()) walk(ex[i]->expression());
        if (ex[i]->name()) bind(ex[i]->name()->getStart());
        block(ex[i]->block());
      }
      for (auto *e : s->except_star_clause()) {
        walk(e->expression());
        if (e->name()) bind(e->name()->getStart());
        block(e->block());
      }
      if (auto *e = s->else_clause()) block(e->block());
      if (auto *f = s->finally_clause()) block(f->block());
    } else if (auto *s = c->with_stmt()) {
      with_stmt(s);
    } else if (auto *s = c->funcdef()) {
      funcdef(s, false);
    } else if (auto *s = c->classdef()) {
      classdef(s);
    } else if (auto *s = c->decorated()) {
      for (auto *d : s->decorator()) walk(d->named_expression());
      if (s->classdef()) classdef(s->classdef());
      else if (s->funcdef()) funcdef(s->funcdef(), false);
      else funcdef(s->async_funcdef()->funcdef(), true);
    } else if (auto *s = c->async_funcdef()) {
      funcdef(s->funcdef(), true);
    } else if (auto *s = c->async_stmt()) {
      if (scope() != Scope::AsyncFunction)
        error(s, s->for_stmt() ? "'async for' outside async function" : "'async with' outside async function");
      if (s->for_stmt()) for_stmt(s->for_stmt());
      else with_stmt(s->with_stmt());
    } else if (auto *s = c->match_stmt()) {
      match_stmt(s);
    }
  }

  void for_stmt(P::For_stmtContext *s) {
    store_target(s->target_list(), Target::Assign);
    walk(s->target_list());
    no_bare_star(s->star_expressions());
    walk(s->star_expressions());
    loop_block(s->block());
    if (auto *e = s->else_clause()) block(e->block());
  }

  void with_stmt(P::With_stmtContext *s) {
    for (auto *w : s->with_item()) {
      if (w->target()) {
        store_target(w->target(), Target::Assign);
        walk(w->target());
      }
      walk(w->expression());
    }
    block(s->block());
  }

  template <typename Param>
  void check_parameters(const std::vector<Param *> &ps, bool lambda) {
    std::unordered_set<std::string> seen;
    bool seen_slash = false, seen_star = false, bare_pending = false, seen_kwargs = false, seen_default = false;
    ParseTree *bare_at = nullptr;
    auto dup = [&](P::NameContext *n) {
      if (!n) return;
      if (!seen.insert(n->getText()).second)
        error(n, "duplicate argument '" + n->getText() + "' in function definition");
    };
    for (std::size_t i = 0; i < ps.size(); ++i) {
      Param *p = ps[i];
      if (seen_kwargs) error(p, "arguments cannot follow var-keyword argument");
      if (p->SLASH()) {
        if (i == 0) error(p, "at least one argument must precede /");
        else if (seen_slash) error(p, "/ may appear only once");
        else if (seen_star) error(p, "/ must be ahead of *");
        seen_slash = true;
      } else if (p->DSTAR()) {
        if (bare_pending) error(bare_at, "named arguments must follow bare *");
        bare_pending = false;
        seen_kwargs = true;
        dup(p->name());
      } else if (p->STAR()) {
        if (seen_star) error(p, "* argument may appear only once");
        seen_star = true;
        bare_pending = !p->name();
        bare_at = p;
        dup(p->name());
      } else {
        dup(p->name());
        if (seen_star) {
          bare_pending = false;
        } else if (p->ASSIGN()) {
          seen_default = true;
        } else if (seen_default) {
          error(p, "non-default argument follows default argument");
        }
      }
    }
    if (bare_pending) error(bare_at, "named arguments must follow bare *");
    (void)lambda;
  }

  void funcdef(P::FuncdefContext *f, bool is_async) {
    bind(f->name()->getStart());
    if (auto *ps = f->parameters()) {
      check_parameters(ps->parameter(), false);
      for (auto *p : ps->parameter()) {
        if (p->expression()) walk(p->expression());
        if (p->annotation()) walk(p->annotation());
        if (p->star_annotation()) walk(p->star_annotation());
      }
    }
    if (f->expression()) walk(f->expression());
    std::vector<std::string> params;
    if (auto *ps = f->parameters())
      for (auto *p : ps->parameter())
        if (p->name()) params.push_back(p->name()->getText());
    scopes_.push_back({is_async ? Scope::AsyncFunction : Scope::Function, 0, 0});
    push_locals(params);
    block(f->block());
    pop_locals(params);
    scopes_.pop_back();
  }

  void classdef(P::ClassdefContext *c) {
    bind(c->name()->getStart());
    if (auto *a = c->arguments()) {
      for (auto *arg : a->argument())
        if (arg->comp_for()) error(arg->comp_for(), "invalid syntax");
      walk(a);
    }
    scopes_.push_back({Scope::Class, 0, 0});
    block(c->block());
    scopes_.pop_back();
  }

  // ---------------------------------------------------------- match

  void match_stmt(P::Match_stmtContext *m) {
    auto *subj = m->subject_expr();
    if (subj->COMMA().empty() && subj->star_named_expression(0)->STAR())
      error(subj, "can't use starred expression here");
    walk(subj);
    for (auto *cb : m->case_block()) {
      patterns(cb->patterns());
      if (cb->guard()) walk(cb->guard());
      block(cb->block());
    }
  }

  void patterns(P::PatternsContext *ps, bool in_brackets = false) {
    auto items = ps->maybe_star_pattern();
    if (!in_brackets && items.size() == 1 && ps->COMMA().empty() && items[0]->STAR())
      error(items[0], "invalid syntax");
    int stars = 0;
    for (auto *it : items) {
      if (it->STAR()) {
        if (++stars > 1) error(it, "multiple starred names in sequence pattern");
        capture(it->name());
      } else {
        pattern(it->pattern());
      }
    }
  }

  void capture(P::NameContext *n) {
    if (n->getText() != "_") bind(n->getStart());
  }

  void pattern(P::PatternContext *p) {
    for (auto *c : p->or_pattern()->closed_pattern()) closed_pattern(c);
    if (p->name()) capture(p->name());
  }

  void closed_pattern(P::Closed_patternContext *c) {
    if (auto *na = c->name_or_attr()) {
      bool is_class = c->LPAR() != nullptr;
      if (na->name().size() > 1 || is_class) add_use(na->name(0)->getText());
      else capture(na->name(0));
      if (auto *args = c->pattern_arguments()) {
        std::unordered_set<std::string> kw;
        bool seen_kw = false;
        for (auto *a : args->pattern_argument()) {
          if (a->name()) {
            seen_kw = true;
            if (!kw.insert(a->name()->getText()).second)
              error(a, "attribute name repeated in class pattern: " + a->name()->getText());
          } else if (seen_kw) {
            error(a, "positional patterns follow keyword patterns");
          }
          pattern(a->pattern());
        }
      }
    } else if (auto *ps = c->patterns()) {
      patterns(ps, c->LSQB() != nullptr);
    } else if (auto *mi = c->mapping_items()) {
      auto items = mi->mapping_item();
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto *it = items[i];
        if (it->DSTAR()) {
          if (i + 1 < items.size()) error(items[i + 1], "invalid syntax");
          capture(it->name());
          continue;
        }
        if (auto *key = it->name_or_attr()) {
          if (key->name().size() < 2) error(key, "mapping pattern keys may only match literals and attribute lookups");
          else add_use(key->name(0)->getText());
        }
        pattern(it->pattern());
      }
    }
  }

  // ---------------------------------------------------------- expressions

  void check_arguments(P::ArgumentsContext *a) {
    auto args = a->argument();
    bool seen_kw = false, seen_dstar = false;
    std::unordered_set<std::string> kw;
    for (auto *arg : args) {
      if (arg->comp_for() && (args.size() > 1 || !a->COMMA().empty()))
        error(arg, "Generator expression must be parenthesized");
      if (arg->DSTAR()) {
        seen_dstar = true;
      } else if (arg->STAR()) {
        if (seen_dstar) error(arg, "iterable argument unpacking follows keyword argument unpacking");
      } else if (arg->ASSIGN()) {
        std::string n = arg->name()->getText();
        if (!kw.insert(n).second) error(arg, "keyword argument repeated: " + n);
        seen_kw = true;
      } else {
        if (seen_dstar) error(arg, "positional argument follows keyword argument unpacking");
        else if (seen_kw) error(arg, "positional argument follows keyword argument");
      }
    }
  }

  // Names bound by the `for` clauses of a comprehension.
  void comp_names(P::Comp_forContext *cf, std::vector<std::string> &out) {
    for (; cf;) {
      collect_target_names(cf->target_list(), out);
      auto *it = cf->comp_iter();
      cf = nullptr;
      while (it) {
        if (it->comp_for()) {
          cf = it->comp_for();
          break;
        }
        it = it->comp_if()->comp_iter();
      }
    }
  }
  void collect_target_names(ParseTree *t, std::vector<std::string> &out) {
    Node n = classify(t);
    if (n.shape == Shape::Name) out.push_back(n.name->getText());
    else if (n.shape == Shape::Starred) collect_target_names(n.inner, out);
    else if (n.shape == Shape::Tuple || n.shape == Shape::List)
      for (auto *e : n.elts) collect_target_names(e, out);
  }

  // A generator expression (`genexp`) may be asynchronous anywhere; list,
  // set and dict comprehensions only inside `async def`. The first iterable
  // is evaluated in the enclosing scope.
  void comprehension(P::Comp_forContext *cf, bool genexp, std::vector<ParseTree *> element) {
    std::vector<std::string> names;
    comp_names(cf, names);
    walk(cf->disjunction());
    push_locals(names);
    if (genexp) ++scopes_.back().genexp;
    for (auto *e : element) walk(e);
    for (P::Comp_forContext *c = cf; c;) {
      if (c->ASYNC() && !genexp && scope() != Scope::AsyncFunction)
        error(c, "asynchronous comprehension outside of an asynchronous function");
      store_target(c->target_list(), Target::Local);
      walk(c->target_list());
      if (c != cf) walk(c->disjunction());
      auto *it = c->comp_iter();
      c = nullptr;
      while (it) {
        if (it->comp_for()) {
          c = it->comp_for();
          break;
        }
        walk(it->comp_if()->disjunction());
        it = it->comp_if()->comp_iter();
      }
    }
    if (genexp) --scopes_.back().genexp;
    pop_locals(names);
  }

  void push_locals(const std::vector<std::string> &names) {
    for (auto &n : names) ++local_[n];
  }
  void pop_locals(const std::vector<std::string> &names) {
    for (auto &n : names)
      if (--local_[n] == 0) local_.erase(n);
  }

  void walk(ParseTree *t) {
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (!ctx) return;
    // The tree can be as deep as GuardedParser allowed, and a walk frame is
    // not smaller than a parser frame: same budget here (fuzz regression).
    auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    if (stack_base_ > here && stack_base_ - here > stack_budget_) {
      error(t, "too many nested expressions");
      return;
    }
    switch (ctx->getRuleIndex()) {
      case P::RuleAtom: return atom(static_cast<P::AtomContext *>(ctx));
      case P::RulePrimary: return primary(static_cast<P::PrimaryContext *>(ctx));
      case P::RuleNamed_expression: {
        auto *c = static_cast<P::Named_expressionContext *>(ctx);
        if (c->WALRUS()) {
          auto *tok = c->name()->getStart();
          stores_.insert(tok->getStartIndex());
          if (module_level()) add_define(tok->getText());
        }
        break;
      }
      case P::RuleSlice: {
        auto *c = static_cast<P::SliceContext *>(ctx);
        if (c->WALRUS()) {
          auto *tok = c->name()->getStart();
          stores_.insert(tok->getStartIndex());
          if (module_level()) add_define(tok->getText());
        }
        break;
      }
      case P::RuleArgument: {
        auto *c = static_cast<P::ArgumentContext *>(ctx);
        if (c->WALRUS()) {
          auto *tok = c->name()->getStart();
          stores_.insert(tok->getStartIndex());
          if (module_level()) add_define(tok->getText());
        }
        if (c->comp_for()) return comprehension(c->comp_for(), true, {c->expression()});
        break;
      }
      case P::RuleArguments:
        check_arguments(static_cast<P::ArgumentsContext *>(ctx));
        break;
      case P::RuleYield_expr:
        if (scope() != Scope::Function && scope() != Scope::AsyncFunction && scope() != Scope::Lambda)
          error(ctx, "'yield' outside function");
        else if (auto *s = static_cast<P::Yield_exprContext *>(ctx)->star_expressions())
          no_bare_star(s);
        break;
      case P::RuleAwait_primary:
        if (static_cast<P::Await_primaryContext *>(ctx)->AWAIT() && scopes_.back().genexp == 0) {
          Scope s = scope();
          if (s == Scope::Module || s == Scope::Class) error(ctx, "'await' outside function");
          else if (s != Scope::AsyncFunction) error(ctx, "'await' outside async function");
        }
        break;
      case P::RuleLambdef: {
        auto *l = static_cast<P::LambdefContext *>(ctx);
        if (auto *ps = l->lambda_parameters()) {
          check_parameters(ps->lambda_parameter(), true);
          for (auto *p : ps->lambda_parameter())
            if (p->expression()) walk(p->expression());
        }
        std::vector<std::string> params;
        if (auto *ps = l->lambda_parameters())
          for (auto *p : ps->lambda_parameter())
            if (p->name()) params.push_back(p->name()->getText());
        scopes_.push_back({Scope::Lambda, 0, 0});
        push_locals(params);
        walk(l->expression());
        pop_locals(params);
        scopes_.pop_back();
        return;
      }
      default:
        break;
    }
    for (auto *ch : ctx->children) walk(ch);
  }

  void atom(P::AtomContext *a) {
    if (auto *n = a->name()) {
      Token *t = n->getStart();
      if (!stores_.count(t->getStartIndex()) && !local_.count(t->getText())) add_use(t->getText());
      return;
    }
    auto strs = a->STRING();
    if (!strs.empty()) {
      bool any_bytes = false, any_text = false;
      for (auto *s : strs) {
        StringInfo si = string_info(s->getText());
        (si.bytes ? any_bytes : any_text) = true;
        if (si.bytes && si.non_ascii) error(s, "bytes can only contain ASCII literal characters");
        std::string esc = bad_escape(s->getText(), si);
        if (esc.empty() && si.fstring) esc = bad_fstring(s->getText(), si);
        if (!esc.empty()) error(s, esc);
      }
      if (any_bytes && any_text) error(strs[0], "cannot mix bytes and nonbytes literals");
      return;
    }
    if (auto *tc = a->testlist_comp()) {
      if (auto *cf = tc->comp_for()) {
        auto *first = tc->star_named_expression(0);
        if (first->STAR()) error(first, "iterable unpacking cannot be used in comprehension");
        return comprehension(cf, a->LPAR() != nullptr, {first});
      }
    }
    if (auto *d = a->dictorsetmaker()) {
      if (auto *cf = d->comp_for()) {
        std::vector<ParseTree *> el;
        if (!d->dict_item().empty()) {
          auto *it = d->dict_item(0);
          if (it->DSTAR()) error(it, "dict unpacking cannot be used in dict comprehension");
          el.push_back(it);
        } else {
          auto *first = d->star_named_expression(0);
          if (first->STAR()) error(first, "iterable unpacking cannot be used in comprehension");
          el.push_back(first);
        }
        return comprehension(cf, false, el);
      }
    }
    for (auto *ch : a->children) walk(ch);
  }

  void primary(P::PrimaryContext *p) {
    auto tr = p->trailer();
    auto *name = p->atom()->name();
    if (name && !tr.empty() && !stores_.count(name->getStart()->getStartIndex())) {
      std::string path = name->getText();
      std::size_t i = 0;
      while (i < tr.size() && tr[i]->DOT()) path += "." + tr[i++]->name()->getText();
      if (i > 0 && i < tr.size() && tr[i]->LPAR()) add_use(path);
    }
    for (auto *ch : p->children) walk(ch);
  }

  std::vector<Frame> scopes_;
  std::unordered_set<std::size_t> stores_;  // start indices of NAME tokens that are bound, not read
  std::unordered_map<std::string, int> local_;  // comprehension variables in scope
  std::unordered_set<std::string> defined_, used_;
};

// ------------------------------------------------------------------ messages

std::string error_message(const Source &src, sxg::PythonLexerBase &lexer, antlr4::CommonTokenStream &tokens,
                          const FirstErrorStrategy &err, Token *t) {
  bool reported_here = err.offending == t;
  std::size_t type = t->getType();
  std::size_t idx = t->getStartIndex();
  for (const auto &is : lexer.issues()) {
    if (is.index != idx) continue;
    std::string m = is.message;
    if (is.related != npos && src.line_of(is.related) != src.line_of(idx))
      m += " on line " + std::to_string(src.line_of(is.related));
    return m;
  }
  if (type == PythonLexer::INDENT) return "unexpected indent";
  if (type == PythonLexer::BAD_DEDENT) return "unindent does not match any outer indentation level";
  if (type == PythonLexer::TOO_DEEP) return "too many nested parentheses";
  if (type == PythonLexer::UNTERMINATED_STRING)
    return "unterminated string literal (detected at line " + std::to_string(src.line_of(idx)) + ")";
  if (type == PythonLexer::ERROR_CHAR) {
    char32_t c = idx < src.size() ? src.code_points()[idx] : 0;
    if (c == U'\\') return "unexpected character after line continuation character";
    if (c >= 0x80) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
      return "invalid character '" + t->getText() + "' (" + buf + ")";
    }
    return "invalid syntax";
  }
  if (reported_here && err.expected_indent) return "expected an indented block";
  if (reported_here && err.expected_except_finally) return "expected 'except' or 'finally' block";
  // A number run into a name or another number: 1abc, 0777.
  if ((type == PythonLexer::NAME || type == PythonLexer::NUMBER) && t->getTokenIndex() > 0) {
    Token *prev = tokens.get(t->getTokenIndex() - 1);
    if (prev->getType() == PythonLexer::NUMBER && prev->getStopIndex() + 1 == idx) {
      std::string pt = prev->getText();
      if (type == PythonLexer::NUMBER && pt.find_first_not_of("0_") == std::string::npos &&
          std::isdigit(static_cast<unsigned char>(t->getText()[0])))
        return "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers";
      return "invalid decimal literal";
    }
  }
  return "invalid syntax";
}

std::mutex &parse_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

ParseVerdict confirm_python(std::string_view text, bool analyze) {
  ParseVerdict v;
  Source src(text);

  // The generated parser shares its DFA cache between instances; one parse
  // at a time keeps that simple and safe.
  std::lock_guard<std::mutex> lock(parse_mutex());

  U32Stream input(src.code_points());
  PythonLexer lexer(&input);
  lexer.removeErrorListeners();
  LexerErrors lexer_errors;
  lexer.addErrorListener(&lexer_errors);
  TrackingTokenStream tokens(&lexer);
  GuardedParser parser(&tokens);
  parser.stack_base = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  parser.stack_budget = sx::stack_budget(parser.stack_base, kStackBudget);
  parser.removeErrorListeners();
  auto err = std::make_shared<FirstErrorStrategy>();
  parser.setErrorHandler(err);

  // Two-stage parsing: fast SLL first; only if it fails, full LL decides.
  auto *sim = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  sim->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  P::File_inputContext *tree = nullptr;
  try {
    tree = parser.file_input();
  } catch (antlr4::ParseCancellationException &) {
    tree = nullptr;
  }
  if ((!tree || err->offending) && !parser.too_deep_at) {
    tokens.seek(0);
    parser.reset();
    err->clear();
    tokens.furthest = 0;
    sim->setPredictionMode(antlr4::atn::PredictionMode::LL);
    try {
      tree = parser.file_input();
    } catch (antlr4::ParseCancellationException &) {
      tree = nullptr;
    }
  }

  const std::size_t n = src.size();
  std::size_t bad_byte = src.first_invalid_byte();
  auto invalid_utf8 = [&]() {
    v.status = ParseVerdict::Status::Error;
    v.at = src.pos_of_byte(bad_byte);
    char buf[64];
    std::snprintf(buf, sizeof buf, "invalid UTF-8: byte 0x%02x", static_cast<unsigned char>(text[bad_byte]));
    v.message = buf;
    return v;
  };

  if (parser.too_deep_at) {
    v.status = ParseVerdict::Status::Error;
    v.at = src.pos_of(parser.too_deep_at->getStartIndex());
    v.message = "too many nested expressions";
    return v;
  }
  if (!tree || err->offending) {
    Token *t = tokens.get(std::min(tokens.furthest, tokens.size() - 1));
    std::size_t idx = t->getStartIndex();
    bool at_eof = t->getType() == Token::EOF || idx >= n;
    bool reported_here = err->offending == t;
    std::uint64_t off = at_eof ? text.size() : src.offset_of(idx);
    if (bad_byte != npos && bad_byte < off) return invalid_utf8();
    if (lexer_errors.first != npos && src.offset_of(lexer_errors.first) < off) {
      v.status = ParseVerdict::Status::Error;
      v.at = src.pos_of(lexer_errors.first);
      v.message = "invalid syntax";
      return v;
    }
    if (at_eof) {
      v.status = ParseVerdict::Status::Incomplete;
      v.at = src.pos_of_byte(text.size());
      v.message = reported_here && err->expected_indent            ? "expected an indented block"
                  : reported_here && err->expected_except_finally ? "expected 'except' or 'finally' block"
                                                                  : "unexpected EOF while parsing";
      return v;
    }
    v.status = ParseVerdict::Status::Error;
    v.at = src.pos_of(idx);
    v.message = error_message(src, lexer, tokens, *err, t);
    return v;
  }

  if (bad_byte != npos) return invalid_utf8();
  if (lexer_errors.first != npos) {
    v.status = ParseVerdict::Status::Error;
    v.at = src.pos_of(lexer_errors.first);
    v.message = "invalid syntax";
    return v;
  }
  if (lexer.open_at_eof()) {
    v.status = ParseVerdict::Status::Incomplete;
    v.at = src.pos_of_byte(text.size());
    v.message = "unexpected EOF while parsing";
    return v;
  }

  v.status = ParseVerdict::Status::Complete;
  if (!analyze) return v;
  Analyzer an;
  an.run(tree);
  if (an.error_index != npos) {
    v.status = ParseVerdict::Status::Error;
    v.at = src.pos_of(an.error_index);
    v.message = an.error_message;
    return v;
  }
  v.status = ParseVerdict::Status::Complete;
  v.kind = an.kind;
  v.defines = std::move(an.defines);
  v.uses = std::move(an.uses);
  v.has_future = an.has_future;
  if (an.has_future) v.future_at = src.pos_of(an.future_index);
  v.leading_docstring = an.leading_docstring;
  v.future_window = an.future_window && !tree->statement().empty();
  return v;
}

}  // namespace sx
