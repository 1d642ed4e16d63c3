#include "frontend/cpp/cpp_confirm.h"
#include "frontend/dfa_caches.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "CppLexer.h"
#include "CppParser.h"
#include "antlr4-runtime.h"

namespace sx {
namespace {

using sxg::CppLexer;
using sxg::CppParser;

// One code point per byte: token indices are byte offsets into the text and
// invalid UTF-8 from the model can never make the runtime throw.
class ByteStream : public antlr4::ANTLRInputStream {
 public:
  explicit ByteStream(std::string_view s) {
    _data.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) _data[i] = static_cast<unsigned char>(s[i]);
    p = 0;
  }
};

class FirstError : public antlr4::BaseErrorListener {
 public:
  bool has = false;
  std::size_t type = 0;
  std::size_t start = 0;
  void syntaxError(antlr4::Recognizer *, antlr4::Token *tok, std::size_t, std::size_t,
                   const std::string &, std::exception_ptr) override {
    if (has) return;
    has = true;
    if (tok) {
      type = tok->getType();
      start = tok->getStartIndex();
    } else {
      type = antlr4::Token::EOF;
    }
  }
};

const std::unordered_set<std::string_view> &keywords() {
  static const std::unordered_set<std::string_view> k = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
      "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
      "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
      "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "override", "final"};
  return k;
}

bool is_specifier_word(std::string_view w) {
  static const std::unordered_set<std::string_view> s = {
      "static", "inline", "constexpr", "constinit", "consteval", "extern", "thread_local",
      "const", "volatile", "mutable", "register", "friend", "explicit", "virtual", "typename"};
  return s.count(w) != 0;
}

bool is_fundamental_word(std::string_view w) {
  static const std::unordered_set<std::string_view> s = {
      "int", "char", "bool", "float", "double", "void", "auto", "wchar_t", "char8_t",
      "char16_t", "char32_t", "unsigned", "signed", "long", "short", "decltype", "size_t"};
  return s.count(w) != 0;
}

// Flat view of the token stream: each token with the bracket depth at which it
// stands (an opener and its closer have the depth outside the group) and the
// index of its matching bracket.
struct Tok {
  std::size_t type;
  std::size_t b, e;  // byte range [b, e)
  int depth;
  std::size_t match;  // for brackets: index of the partner, else self
};

class Analyzer {
 public:
  Analyzer(std::string_view text, const std::vector<antlr4::Token *> &tokens) : text_(text) {
    std::vector<std::size_t> stack;
    for (auto *t : tokens) {
      if (t->getType() == antlr4::Token::EOF) break;
      Tok k{t->getType(), t->getStartIndex(), t->getStopIndex() + 1, 0, toks_.size()};
      switch (k.type) {
        case CppLexer::LPAREN: case CppLexer::LBRACKET: case CppLexer::LBRACE:
          k.depth = static_cast<int>(stack.size());
          stack.push_back(toks_.size());
          break;
        case CppLexer::RPAREN: case CppLexer::RBRACKET: case CppLexer::RBRACE:
          if (!stack.empty()) {
            k.match = stack.back();
            toks_[stack.back()].match = toks_.size();
            stack.pop_back();
          }
          k.depth = static_cast<int>(stack.size());
          break;
        default:
          k.depth = static_cast<int>(stack.size());
      }
      toks_.push_back(k);
    }
  }

  std::string_view text(std::size_t i) const { return text_.substr(toks_[i].b, toks_[i].e - toks_[i].b); }
  const Tok &tok(std::size_t i) const { return toks_[i]; }
  std::size_t size() const { return toks_.size(); }
  bool is(std::size_t i, std::size_t type) const { return i < toks_.size() && toks_[i].type == type; }
  bool word(std::size_t i, std::string_view w) const {
    return i < toks_.size() && toks_[i].type == CppLexer::IDENTIFIER && text(i) == w;
  }
  bool opener(std::size_t i) const {
    return i < toks_.size() && (toks_[i].type == CppLexer::LPAREN || toks_[i].type == CppLexer::LBRACKET ||
                                toks_[i].type == CppLexer::LBRACE);
  }
  // next element at the same depth (skips a whole group)
  std::size_t next(std::size_t i) const { return (opener(i) ? toks_[i].match : i) + 1; }

  void add_define(std::vector<std::string> &out, std::string_view name) const {
    if (name.empty()) return;
    std::string s(name);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }

  // Skip a (possibly qualified, possibly templated) name starting at i; returns
  // the index after it, or i if there is none. `last` gets the last identifier.
  std::size_t qualified_name(std::size_t i, std::size_t end, std::size_t *last, bool *qualified) const {
    std::size_t k = i;
    bool q = false;
    if (is(k, CppLexer::COLONCOLON)) { ++k; q = true; }
    if (!(is(k, CppLexer::IDENTIFIER) || is(k, CppLexer::OPERATOR))) return i;
    for (;;) {
      if (is(k, CppLexer::OPERATOR)) {  // operator symbol
        *last = k;
        ++k;
        if (k < end && !opener(k)) ++k;
        else if (k < end && (is(k, CppLexer::LPAREN) || is(k, CppLexer::LBRACKET)) && toks_[k].match == k + 1) k += 2;
      } else {
        if (word(k, "template")) ++k;
        if (!is(k, CppLexer::IDENTIFIER)) break;
        *last = k;
        ++k;
        if (is(k, CppLexer::LT)) {
          std::size_t t = template_args(k, end);
          if (t != k) k = t;
        }
      }
      if (is(k, CppLexer::COLONCOLON) && (is(k + 1, CppLexer::IDENTIFIER) || is(k + 1, CppLexer::OPERATOR) ||
                                           is(k + 1, CppLexer::TEMPLATE))) {
        q = true;
        ++k;
        if (is(k, CppLexer::TEMPLATE)) ++k;
        continue;
      }
      break;
    }
    if (qualified) *qualified = q;
    return k;
  }

  // `<` ... `>` template argument list starting at i; returns index after the
  // closing `>` or i when it does not look like one.
  std::size_t template_args(std::size_t i, std::size_t end) const {
    int angle = 0;
    for (std::size_t k = i; k < end; k = next(k)) {
      std::size_t t = toks_[k].type;
      if (t == CppLexer::LT) ++angle;
      else if (t == CppLexer::GT) {
        if (--angle == 0) return k + 1;
      } else if (t == CppLexer::SEMI || t == CppLexer::ASSIGN || t == CppLexer::LBRACE || t == CppLexer::RBRACE ||
                 (t == CppLexer::OP && text(k) != "*" && text(k) != "&" && text(k) != "&&" && text(k) != "...")) {
        return i;
      }
    }
    return i;
  }

  std::size_t skip_ptr_ops(std::size_t k, std::size_t end) const {
    while (k < end) {
      if (is(k, CppLexer::OP) && (text(k) == "*" || text(k) == "&" || text(k) == "&&")) ++k;
      else if (word(k, "const") || word(k, "volatile")) ++k;
      else if (is(k, CppLexer::LBRACKET) && is(k + 1, CppLexer::LBRACKET)) k = next(k);  // attribute
      else break;
    }
    return k;
  }

  // simpleItem between token indices [i, end) (end is the ';').
  UnitKind simple(std::size_t i, std::size_t end, std::vector<std::string> &defs) const {
    std::size_t k = i;
    while (k < end && is(k, CppLexer::LBRACKET) && is(k + 1, CppLexer::LBRACKET)) k = next(k);
    if (k >= end) return UnitKind::Other;
    if (word(k, "typedef")) {
      typedef_name(k + 1, end, defs);
      return UnitKind::Decl;
    }
    if (word(k, "using")) {
      if (is(k + 1, CppLexer::NAMESPACE)) return UnitKind::Decl;
      if (is(k + 1, CppLexer::IDENTIFIER) && is(k + 2, CppLexer::ASSIGN)) {
        add_define(defs, text(k + 1));
        return UnitKind::Decl;
      }
      std::size_t last = end;
      for (std::size_t j = k + 1; j < end; j = next(j))
        if (is(j, CppLexer::IDENTIFIER)) last = j;
      if (last < end) add_define(defs, text(last));
      return UnitKind::Decl;
    }
    if (word(k, "static_assert")) return UnitKind::Decl;
    if (word(k, "concept")) {
      if (is(k + 1, CppLexer::IDENTIFIER)) add_define(defs, text(k + 1));
      return UnitKind::Decl;
    }
    // decl-specifiers
    bool specifiers = false;
    for (;;) {
      if (k < end && (is(k, CppLexer::EXTERN) || is(k, CppLexer::INLINE) || is(k, CppLexer::CONSTEXPR) ||
                      (is(k, CppLexer::IDENTIFIER) && is_specifier_word(text(k))))) {
        specifiers = true;
        ++k;
      } else if (word(k, "alignas") && is(k + 1, CppLexer::LPAREN)) {
        specifiers = true;
        k = next(k + 1);
      } else if (is(k, CppLexer::LBRACKET) && is(k + 1, CppLexer::LBRACKET)) {
        k = next(k);
      } else {
        break;
      }
    }
    if (k >= end) return UnitKind::Decl;
    if (word(k, "class") || word(k, "struct") || word(k, "union") || word(k, "enum"))
      return class_like(k, end, defs);

    // the type
    bool decl = false;
    if (is(k, CppLexer::IDENTIFIER) && is_fundamental_word(text(k))) {
      decl = true;
      while (k < end && is(k, CppLexer::IDENTIFIER) && (is_fundamental_word(text(k)) || is_specifier_word(text(k)))) {
        if (word(k, "decltype") && is(k + 1, CppLexer::LPAREN)) k = next(k + 1);
        else ++k;
      }
    } else {
      std::size_t last = 0;
      bool q = false;
      std::size_t after = qualified_name(k, end, &last, &q);
      if (after == k) return UnitKind::Expr;
      if (word(after, "const") || word(after, "volatile")) ++after;
      std::size_t d = skip_ptr_ops(after, end);
      if (is(d, CppLexer::IDENTIFIER) || is(d, CppLexer::OPERATOR) ||
          (d != after && is(d, CppLexer::COLONCOLON)) || (specifiers && d == after && is(d, CppLexer::IDENTIFIER))) {
        decl = true;
        k = after;
      } else if (specifiers) {
        decl = true;
        k = after;
      }
      if (!decl) return UnitKind::Expr;
    }
    return declarators(k, end, defs);
  }

  // after the decl-specifiers: declarator (= init)? (, declarator (= init)?)*
  UnitKind declarators(std::size_t k, std::size_t end, std::vector<std::string> &defs) const {
    bool init = false, any_function = false, any_object = false;
    while (k < end) {
      k = skip_ptr_ops(k, end);
      if (is(k, CppLexer::LBRACKET)) {  // structured binding
        for (std::size_t j = k + 1; j < toks_[k].match; ++j)
          if (is(j, CppLexer::IDENTIFIER)) add_define(defs, text(j));
        k = next(k);
        any_object = true;
      } else if (is(k, CppLexer::LPAREN)) {  // (*fp)(...) style
        for (std::size_t j = k + 1; j < toks_[k].match; ++j)
          if (is(j, CppLexer::IDENTIFIER)) { add_define(defs, text(j)); break; }
        k = next(k);
        any_object = true;
      } else {
        std::size_t last = end;
        bool q = false;
        std::size_t after = qualified_name(k, end, &last, &q);
        if (after == k) break;
        if (last < end && !q) {
          if (is(last, CppLexer::OPERATOR)) {
            std::string op = "operator";
            for (std::size_t j = last + 1; j < after; ++j) op += text(j);
            add_define(defs, op);
          } else {
            add_define(defs, text(last));
          }
        }
        k = after;
      }
      while (is(k, CppLexer::LBRACKET)) k = next(k);  // array bounds
      if (is(k, CppLexer::LPAREN)) {
        if (looks_like_parameters(k)) any_function = true;
        else { init = true; any_object = true; }
        k = next(k);
      } else if (is(k, CppLexer::LBRACE)) {
        init = true;
        any_object = true;
        k = next(k);
      } else {
        any_object = true;
      }
      // rest of this declarator: initialiser, trailing return type ...
      int angle = 0;
      while (k < end) {
        if (is(k, CppLexer::ASSIGN)) init = true;
        if (is(k, CppLexer::LT)) ++angle;
        if (is(k, CppLexer::GT) && angle > 0) --angle;
        if (is(k, CppLexer::COMMA) && angle == 0) break;
        k = next(k);
      }
      if (k < end) ++k;  // the comma
    }
    if (init) return UnitKind::Assign;
    (void)any_function;
    (void)any_object;
    return UnitKind::Decl;
  }

  // `( ... )` after a declarator name: parameter list (function declaration)
  // or a direct initialiser?
  bool looks_like_parameters(std::size_t lp) const {
    std::size_t rp = toks_[lp].match;
    if (rp == lp + 1) return true;  // f()
    std::size_t k = lp + 1;
    if (is(k, CppLexer::IDENTIFIER) && (is_fundamental_word(text(k)) || is_specifier_word(text(k)) ||
                                        text(k) == "struct" || text(k) == "class"))
      return true;
    if (is(k, CppLexer::ELLIPSIS)) return true;
    // `T name` / `T* name` / `T& name` / `ns::T<...> name` at the start
    std::size_t last = 0;
    bool q = false;
    std::size_t after = qualified_name(k, rp, &last, &q);
    if (after == k) return false;
    std::size_t d = skip_ptr_ops(after, rp);
    if (d < rp && is(d, CppLexer::IDENTIFIER)) return true;
    if (d != after && (is(d, CppLexer::COMMA) || d == rp)) return true;  // f(int*, T&)
    return false;
  }

  UnitKind class_like(std::size_t k, std::size_t end, std::vector<std::string> &defs) const {
    bool is_enum = word(k, "enum");
    ++k;
    bool scoped = false;
    if (is_enum && (word(k, "class") || word(k, "struct"))) {
      scoped = true;
      ++k;
    }
    while (is(k, CppLexer::LBRACKET) || word(k, "alignas")) k = word(k, "alignas") ? next(k + 1) : next(k);
    std::size_t name_last = end;
    bool q = false;
    std::size_t after = qualified_name(k, end, &name_last, &q);
    // find the body before '=' / '(' at this level
    std::size_t body = end;
    for (std::size_t j = after; j < end; j = next(j)) {
      if (is(j, CppLexer::LBRACE)) { body = j; break; }
      if (is(j, CppLexer::ASSIGN) || is(j, CppLexer::LPAREN) || is(j, CppLexer::SEMI)) break;
    }
    if (name_last < end && !q && (body < end || after == end || is(after, CppLexer::SEMI) || true))
      add_define(defs, text(name_last));
    if (body == end) {
      // forward declaration or elaborated type in a declaration
      std::size_t d = skip_ptr_ops(after, end);
      if (d < end && is(d, CppLexer::IDENTIFIER)) return declarators(d, end, defs);
      return UnitKind::Decl;
    }
    if (is_enum && !scoped) {
      std::size_t close = toks_[body].match;
      bool expect = true;
      for (std::size_t j = body + 1; j < close; j = next(j)) {
        if (expect && is(j, CppLexer::IDENTIFIER)) add_define(defs, text(j));
        expect = is(j, CppLexer::COMMA);
      }
    }
    std::size_t rest = next(body);
    if (rest < end) declarators(rest, end, defs);
    return UnitKind::Class;
  }

  void typedef_name(std::size_t k, std::size_t end, std::vector<std::string> &defs) const {
    // typedef struct {..} Name;  typedef int (*fp)(int);  typedef std::vector<int> V, *PV;
    std::size_t last_ident = end;
    std::size_t first_paren = end;
    for (std::size_t j = k; j < end; j = next(j)) {
      if (is(j, CppLexer::IDENTIFIER)) last_ident = j;
      if (is(j, CppLexer::LPAREN) && first_paren == end) first_paren = j;
      if (is(j, CppLexer::COMMA) && last_ident < end) add_define(defs, text(last_ident));
    }
    if (first_paren < end && (last_ident == end || last_ident < first_paren) && !keywords().count(text(last_ident == end ? first_paren : last_ident))) {
      // function-pointer typedef: name inside the first (...)
      for (std::size_t j = first_paren + 1; j < toks_[first_paren].match; ++j)
        if (is(j, CppLexer::IDENTIFIER)) { add_define(defs, text(j)); return; }
    }
    if (first_paren < end && last_ident < first_paren) {
      for (std::size_t j = first_paren + 1; j < toks_[first_paren].match; ++j)
        if (is(j, CppLexer::IDENTIFIER)) { add_define(defs, text(j)); return; }
    }
    if (last_ident < end) add_define(defs, text(last_ident));
  }

  // function definition: name before the parameter list
  void function_name(std::size_t head_begin, std::size_t lparen, std::vector<std::string> &defs) const {
    if (lparen == 0 || lparen <= head_begin) return;
    std::size_t j = lparen - 1;
    // operator@ / operator() / operator new[]
    for (std::size_t o = head_begin; o < lparen; ++o) {
      if (is(o, CppLexer::OPERATOR) && toks_[o].depth == toks_[lparen].depth) {
        if (o > head_begin && is(o - 1, CppLexer::COLONCOLON)) return;
        std::string op = "operator";
        for (std::size_t x = o + 1; x < lparen; ++x) op += text(x);
        add_define(defs, op);
        return;
      }
    }
    if (is(j, CppLexer::GT)) {  // f<T>(...) explicit specialisation: find the name
      int angle = 0;
      for (;; --j) {
        if (is(j, CppLexer::GT)) ++angle;
        else if (is(j, CppLexer::LT) && --angle == 0) break;
        if (j == head_begin) return;
      }
      if (j == head_begin) return;
      --j;
    }
    if (!is(j, CppLexer::IDENTIFIER)) return;
    if (j > head_begin && is(j - 1, CppLexer::COLONCOLON)) return;  // member / qualified: no new top-level name
    if (j > head_begin && is(j - 1, CppLexer::OP) && text(j - 1) == "~") return;
    add_define(defs, text(j));
  }

  void uses(std::size_t from, std::size_t to, const std::vector<std::string> &defs, std::vector<std::string> &out) const {
    std::unordered_set<std::string_view> seen;
    for (const auto &d : defs) seen.insert(d);
    auto push = [&](std::string_view s) {
      if (seen.insert(s).second) out.emplace_back(s);
    };
    for (std::size_t k = from; k < to; ++k) {
      if (toks_[k].type != CppLexer::IDENTIFIER) continue;
      std::string_view w = text(k);
      if (keywords().count(w)) continue;
      push(w);
      // qualified call target a::b::c(
      if (k > from && is(k - 1, CppLexer::COLONCOLON)) continue;
      std::size_t j = k;
      while (is(j + 1, CppLexer::COLONCOLON) && is(j + 2, CppLexer::IDENTIFIER)) j += 2;
      if (j != k && is(j + 1, CppLexer::LPAREN)) push(text_.substr(toks_[k].b, toks_[j].e - toks_[k].b));
    }
  }

 private:
  std::string_view text_;
  std::vector<Tok> toks_;
};

struct Tail {
  bool else_ = false, catch_ = false;
};

void tail_of_statement(CppParser::StatementContext *s, Tail &t);

void tail_of_control(CppParser::ControlStatementContext *c, Tail &t) {
  if (!c) return;
  if (auto *i = c->ifStatement()) {
    if (!i->ELSE()) {
      t.else_ = true;
      tail_of_statement(i->statement(0), t);
    } else {
      tail_of_statement(i->statement(1), t);
    }
  } else if (auto *f = c->forStatement()) {
    tail_of_statement(f->statement(), t);
  } else if (auto *w = c->whileStatement()) {
    tail_of_statement(w->statement(), t);
  } else if (auto *sw = c->switchStatement()) {
    tail_of_statement(sw->statement(), t);
  } else if (c->tryStatement()) {
    t.catch_ = true;
  }
}

void tail_of_statement(CppParser::StatementContext *s, Tail &t) {
  if (s && s->controlStatement()) tail_of_control(s->controlStatement(), t);
}

void tail_of_function(CppParser::FunctionDefinitionContext *f, Tail &t) {
  if (f && f->functionBody()->TRY()) t.catch_ = true;
}

void tail_of_item(CppParser::ItemContext *it, Tail &t) {
  if (auto *ai = it->attributedItem()) {
    if (auto *c = ai->controlStatement()) tail_of_control(c, t);
    else if (auto *f = ai->functionDefinition()) tail_of_function(f, t);
    return;
  }
  if (auto *c = it->controlStatement()) tail_of_control(c, t);
  else if (auto *f = it->functionDefinition()) tail_of_function(f, t);
  else if (auto *ti = it->templateItem()) {
    while (ti->templateItem()) ti = ti->templateItem();
    tail_of_function(ti->functionDefinition(), t);
    if (auto *l = ti->linkageSpecification()) tail_of_function(l->functionDefinition(), t);
  } else if (auto *l = it->linkageSpecification()) {
    tail_of_function(l->functionDefinition(), t);
  }
}

std::size_t tok_index(antlr4::ParserRuleContext *c) { return c->getStart()->getTokenIndex(); }
std::size_t stop_index(antlr4::ParserRuleContext *c) { return c->getStop()->getTokenIndex(); }

UnitKind directive_kind(std::string_view d, std::vector<std::string> &defs) {
  std::size_t i = 1;
  while (i < d.size() && (d[i] == ' ' || d[i] == '\t')) ++i;
  std::size_t n = i;
  while (n < d.size() && std::isalpha(static_cast<unsigned char>(d[n]))) ++n;
  std::string_view name = d.substr(i, n - i);
  if (name == "include" || name == "import" || name == "include_next") return UnitKind::Include;
  if (name == "define") {
    while (n < d.size() && (d[n] == ' ' || d[n] == '\t')) ++n;
    std::size_t e = n;
    while (e < d.size() && (std::isalnum(static_cast<unsigned char>(d[e])) || d[e] == '_')) ++e;
    if (e > n) defs.emplace_back(d.substr(n, e - n));
  }
  return UnitKind::Decl;
}

UnitKind item_kind(const Analyzer &a, CppParser::ItemContext *it, std::string_view text, std::vector<std::string> &defs);

UnitKind declaration_kind(const Analyzer &a, antlr4::ParserRuleContext *decl, std::vector<std::string> &defs) {
  if (auto *f = dynamic_cast<CppParser::FunctionDefinitionContext *>(decl)) {
    auto *h = f->functionHead();
    a.function_name(tok_index(h), tok_index(h->parenGroup()), defs);
    return UnitKind::Function;
  }
  if (auto *s = dynamic_cast<CppParser::SimpleItemContext *>(decl)) return a.simple(tok_index(s), stop_index(s), defs);
  if (auto *t = dynamic_cast<CppParser::TemplateItemContext *>(decl)) {
    if (t->templateItem()) return declaration_kind(a, t->templateItem(), defs);
    if (t->functionDefinition()) return declaration_kind(a, t->functionDefinition(), defs);
    if (t->simpleItem()) return declaration_kind(a, t->simpleItem(), defs);
    if (t->linkageSpecification()) return declaration_kind(a, t->linkageSpecification(), defs);
  }
  if (auto *l = dynamic_cast<CppParser::LinkageSpecificationContext *>(decl)) {
    if (l->functionDefinition()) return declaration_kind(a, l->functionDefinition(), defs);
    if (l->simpleItem()) return declaration_kind(a, l->simpleItem(), defs);
    if (l->templateItem()) return declaration_kind(a, l->templateItem(), defs);
    return UnitKind::Decl;
  }
  return UnitKind::Other;
}

UnitKind item_kind(const Analyzer &a, CppParser::ItemContext *it, std::string_view text, std::vector<std::string> &defs) {
  if (auto *d = it->directive()) {
    auto *t = d->DIRECTIVE()->getSymbol();
    return directive_kind(text.substr(t->getStartIndex(), t->getStopIndex() + 1 - t->getStartIndex()), defs);
  }
  if (it->ppConditional()) return UnitKind::Decl;
  if (auto *ai = it->attributedItem()) {
    if (ai->controlStatement()) return UnitKind::Control;
    if (ai->functionDefinition()) return declaration_kind(a, ai->functionDefinition(), defs);
    if (ai->simpleItem()) return declaration_kind(a, ai->simpleItem(), defs);
    if (ai->templateItem()) return declaration_kind(a, ai->templateItem(), defs);
    return UnitKind::Other;
  }
  if (it->emptyItem()) return UnitKind::Other;
  if (it->controlStatement()) return UnitKind::Control;
  if (auto *n = it->namespaceDefinition()) {
    if (auto *nm = n->namespaceName()) a.add_define(defs, nm->IDENTIFIER(0)->getText());
    return UnitKind::Decl;
  }
  if (auto *n = it->namespaceAlias()) {
    a.add_define(defs, n->IDENTIFIER()->getText());
    return UnitKind::Decl;
  }
  if (it->templateItem()) return declaration_kind(a, it->templateItem(), defs);
  if (it->linkageSpecification()) return declaration_kind(a, it->linkageSpecification(), defs);
  if (it->functionDefinition()) return declaration_kind(a, it->functionDefinition(), defs);
  if (it->simpleItem()) return declaration_kind(a, it->simpleItem(), defs);
  return UnitKind::Other;
}

void set_position(CppVerdict &v, std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  v.offset = offset;
  v.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++v.line;
      line_start = i + 1;
    }
  v.col = static_cast<std::uint32_t>(offset - line_start);
}

std::string describe(std::string_view text, std::size_t b, std::size_t e) {
  std::string_view s = text.substr(b, e - b);
  std::string out(s.substr(0, std::min<std::size_t>(s.size(), 24)));
  if (s.size() > 24) out += "...";
  return out;
}

}  // namespace

CppVerdict confirm_cpp(std::string_view text, bool begins_line) {
  CppVerdict v;
  ByteStream input(text);
  // Caches of this parse's own (frontend/dfa_caches.h): declared before the
  // recognizers, which use them until they are destroyed.
  DfaCaches::Lease lexer_dfa, parser_dfa;
  CppLexer lexer(&input);
  lexer_dfa = dfa_caches<CppLexer>().lend_lexer(lexer);
  lexer.sxBeginsLine = begins_line;
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  // Text that ends inside a comment or literal is incomplete; a literal broken
  // by a newline is an error.
  for (auto *t : tokens.getTokens()) {
    std::size_t ty = t->getType();
    if (ty != CppLexer::UNTERM_BLOCK_COMMENT && ty != CppLexer::UNTERM_STRING && ty != CppLexer::UNTERM_CHAR &&
        ty != CppLexer::UNTERM_RAW_STRING)
      continue;
    if (t->getStopIndex() + 1 >= text.size() || ty == CppLexer::UNTERM_BLOCK_COMMENT || ty == CppLexer::UNTERM_RAW_STRING) {
      v.status = CppVerdict::Status::Incomplete;
      v.message = ty == CppLexer::UNTERM_BLOCK_COMMENT ? "unterminated comment"
                  : ty == CppLexer::UNTERM_RAW_STRING  ? "unterminated raw string literal"
                  : ty == CppLexer::UNTERM_STRING      ? "unterminated string literal"
                                                       : "unterminated character literal";
      set_position(v, text, text.size());
      return v;
    }
    v.status = CppVerdict::Status::Error;
    set_position(v, text, t->getStartIndex());
    v.message = ty == CppLexer::UNTERM_STRING ? "missing terminating '\"' character"
                                              : "missing terminating ' character";
    return v;
  }

  CppParser parser(&tokens);
  parser_dfa = dfa_caches<CppParser>().lend(parser);
  parser.removeErrorListeners();
  CppParser::TranslationUnitContext *tree = nullptr;
  // Stage 1: fast SLL prediction, bail out at the first error.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    tree = parser.translationUnit();
  } catch (antlr4::ParseCancellationException &) {
    tree = nullptr;
  }
  FirstError err;
  if (!tree) {
    // Stage 2: full LL; the first error decides incomplete vs. error.
    tokens.seek(0);
    parser.reset();
    parser.addErrorListener(&err);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    tree = parser.translationUnit();
    if (!err.has) err.has = parser.getNumberOfSyntaxErrors() > 0;
  }
  if (err.has) {
    if (err.type == antlr4::Token::EOF) {
      v.status = CppVerdict::Status::Incomplete;
      set_position(v, text, text.size());
      return v;
    }
    v.status = CppVerdict::Status::Error;
    set_position(v, text, err.start);
    std::size_t stop = err.start + 1;
    for (auto *t : tokens.getTokens())
      if (t->getStartIndex() == err.start && t->getType() != antlr4::Token::EOF) stop = t->getStopIndex() + 1;
    v.message = "syntax error: unexpected '" + describe(text, err.start, stop) + "'";
    return v;
  }

  v.status = CppVerdict::Status::Complete;
  auto items = tree->item();
  v.items = items.size();
  if (items.empty()) return v;  // only whitespace/comments
  Analyzer a(text, tokens.getTokens());
  Tail t;
  tail_of_item(items.back(), t);
  v.wants_else = t.else_;
  v.wants_catch = t.catch_;
  for (std::size_t i = 0; i < items.size(); ++i) {
    UnitKind k = item_kind(a, items[i], text, v.defines);
    if (i == 0) v.kind = k;
  }
  a.uses(0, a.size(), v.defines, v.uses);
  return v;
}

}  // namespace sx
