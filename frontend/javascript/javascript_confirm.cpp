// confirm_javascript(): lex + parse + static checks of one candidate unit.
//
// Pipeline:
//   1. decode UTF-8 into code points (ANTLR works on code points; positions
//      are mapped back to bytes);
//   2. lex everything (JavaScriptLexer), then a pre-pass over the tokens:
//      line-terminator flags for ASI, `in` flags for for-heads, retyping of
//      tokens whose role plain ANTLR prediction could only find with
//      unbounded lookahead (arrow heads, contextual keywords, continuation
//      tokens; see the `tokens` section of JavaScriptLexer.g4), and
//      token-level checks (escapes, numeric literal boundaries, regular
//      expressions, nesting depth);
//   3. parse (SLL first, LL on failure) stopping at the first syntax error;
//      an error whose offending token is EOF means "incomplete";
//   4. static semantics that refine the cover grammars and a selection of
//      early errors (assignment targets, strict mode, …);
//   5. analysis for the chunker: how the last statement ended, kind,
//      defines / uses.
#include "frontend/javascript/javascript_confirm.h"
#include "frontend/stack_budget.h"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "JavaScriptLexer.h"
#include "JavaScriptParser.h"
#include "antlr4-runtime.h"

namespace sx {
namespace {

using L = sxg::JavaScriptLexer;
using P = sxg::JavaScriptParser;
using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::tree::ParseTree;
using antlr4::tree::TerminalNode;

// Stack guard of the recursive passes (the parse, Checker::walk and
// Analyzer::walk): nesting that is not brackets (`() => () => …`, `- - - …`,
// `a = b = …`) is bounded by the stack it uses, like the Python confirm's.
// 10 000 nested arrow functions overflowed an 8 MiB stack in Analyzer::walk.
constexpr std::uintptr_t kStackBudget = 2u << 20;  // bytes
thread_local std::uintptr_t tl_stack_base = 0, tl_stack_budget = kStackBudget;
struct TooDeep {};
inline void check_stack() {
  auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (tl_stack_base > here && tl_stack_base - here > tl_stack_budget) throw TooDeep{};
}
class GuardedParser : public P {
 public:
  using P::P;
  void enterRule(ParserRuleContext *localctx, std::size_t state, std::size_t ruleIndex) override {
    check_stack();
    P::enterRule(localctx, state, ruleIndex);
  }
  // Left-recursive rules (singleExpression: `- - - 1`, `a = b = …`) recurse
  // through this entry, not enterRule.
  using P::enterRecursionRule;
  void enterRecursionRule(ParserRuleContext *localctx, std::size_t state, std::size_t ruleIndex,
                          int precedence) override {
    check_stack();
    P::enterRecursionRule(localctx, state, ruleIndex, precedence);
  }
};

// ------------------------------------------------------------------ input

// ANTLR input stream over already decoded code points.
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(std::u32string data) {
    _data = std::move(data);
    p = 0;
  }
};

struct Decoded {
  std::u32string cps;
  std::vector<std::uint32_t> byte_of;  // code point index -> byte offset (size cps+1)
  std::size_t bad_byte = std::string::npos;  // first invalid UTF-8 byte
  bool truncated_at_end = false;             // text ends inside a multi-byte sequence
};

Decoded decode_utf8(std::string_view s) {
  Decoded d;
  d.cps.reserve(s.size());
  d.byte_of.reserve(s.size() + 1);
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    d.byte_of.push_back(static_cast<std::uint32_t>(i));
    if (c < 0x80) {
      d.cps.push_back(c);
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0;
    if (ok && i + len > n) {
      // Could be completed by more bytes.
      bool prefix_ok = true;
      for (std::size_t k = i + 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) prefix_ok = false;
      if (prefix_ok) d.truncated_at_end = true;
      ok = false;
    }
    if (ok) {
      for (int k = 1; k < len; ++k) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                 cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
        ok = false;
    }
    if (!ok) {
      if (d.bad_byte == std::string::npos) d.bad_byte = i;
      d.cps.push_back(0xFFFD);
      ++i;
      continue;
    }
    d.cps.push_back(cp);
    i += len;
  }
  d.byte_of.push_back(static_cast<std::uint32_t>(n));
  return d;
}

// Line (1-based) and byte column (0-based) of a byte offset.
void line_col(std::string_view text, std::size_t off, std::uint32_t &line, std::uint32_t &col) {
  line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < off && i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' || (c == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n'))) {
      ++line;
      line_start = i + 1;
    }
  }
  col = static_cast<std::uint32_t>(off - line_start);
}

// ------------------------------------------------------------ identifiers

bool is_hex(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_val(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  return static_cast<int>(c - 'A' + 10);
}

// Whether code point c may start (or continue) an IdentifierName. ASCII is
// decided here; other code points by the lexer's own ID_Start / ID_Continue
// sets (escapes in identifiers are rare, so this is cheap enough).
bool id_char(char32_t c, bool start) {
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '$' || c == '_') return true;
    return !start && c >= '0' && c <= '9';
  }
  if (c >= 0xD800 && c <= 0xDFFF) return false;
  if (c > 0x10FFFF) return false;
  if (!start && (c == 0x200C || c == 0x200D)) return true;
  std::u32string probe;
  if (!start) probe.push_back(U'a');
  probe.push_back(c);
  CodePointStream in(probe);
  L lexer(&in);
  lexer.removeErrorListeners();
  auto toks = lexer.getAllTokens();
  return toks.size() == 1 && toks[0]->getType() == L::Identifier;
}

// Decodes the \u escapes of an identifier (as written, UTF-8). Returns false
// if an escape does not denote a valid identifier character.
bool decode_identifier(const std::string &raw, std::string &out) {
  out.clear();
  bool first = true;
  for (std::size_t i = 0; i < raw.size();) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c != '\\') {
      // copy one UTF-8 sequence
      std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      out.append(raw, i, len);
      i += len;
      first = false;
      continue;
    }
    // \uXXXX or \u{X…}
    if (i + 1 >= raw.size() || raw[i + 1] != 'u') return false;
    char32_t v = 0;
    std::size_t j = i + 2;
    if (j < raw.size() && raw[j] == '{') {
      ++j;
      std::size_t digits = 0;
      while (j < raw.size() && raw[j] != '}') {
        if (!is_hex(static_cast<unsigned char>(raw[j]))) return false;
        v = v * 16 + static_cast<char32_t>(hex_val(static_cast<unsigned char>(raw[j])));
        if (v > 0x10FFFF) return false;
        ++j;
        ++digits;
      }
      if (j >= raw.size() || digits == 0) return false;
      ++j;
    } else {
      for (int k = 0; k < 4; ++k, ++j) {
        if (j >= raw.size() || !is_hex(static_cast<unsigned char>(raw[j]))) return false;
        v = v * 16 + static_cast<char32_t>(hex_val(static_cast<unsigned char>(raw[j])));
      }
    }
    if (!id_char(v, first)) return false;
    first = false;
    // append UTF-8
    if (v < 0x80) {
      out.push_back(static_cast<char>(v));
    } else if (v < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (v >> 6)));
      out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
    } else if (v < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (v >> 12)));
      out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (v >> 18)));
      out.push_back(static_cast<char>(0x80 | ((v >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
    }
    i = j;
  }
  return true;
}

std::string identifier_text(Token *t) {
  std::string raw = t->getText();
  if (raw.find('\\') == std::string::npos) return raw;
  std::string out;
  decode_identifier(raw, out);
  return out;
}

bool is_reserved_word(const std::string &s) {
  static const std::unordered_set<std::string> words = {
      "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
      "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
      "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this",
      "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield"};
  return words.count(s) != 0;
}

bool is_strict_reserved(const std::string &s) {
  return s == "implements" || s == "interface" || s == "let" || s == "package" || s == "private" ||
         s == "protected" || s == "public" || s == "static" || s == "yield";
}

bool is_word_token(std::size_t type) {
  return type == L::Identifier || (type >= L::NullLiteral && type <= L::FalseLiteral) ||
         (type >= L::Break && type <= L::Public) || type == L::NumericLiteral || type == L::BigIntLiteral ||
         type == L::FunctionExprKw || type == L::ClassExprKw;
}

// --------------------------------------------------------- literal checks

// Escapes valid in strings and untagged templates: \x HH, \u HHHH, \u{H…}.
// Returns the index of the bad escape or npos.
std::size_t bad_escape(const std::string &s, bool template_rules) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') continue;
    if (i + 1 >= s.size()) return i;
    char c = s[i + 1];
    if (c == 'x') {
      if (i + 3 >= s.size() + 0 || !is_hex(static_cast<unsigned char>(s[i + 2])) ||
          !is_hex(static_cast<unsigned char>(s[i + 3])))
        return i;
    } else if (c == 'u') {
      if (i + 2 < s.size() && s[i + 2] == '{') {
        std::size_t j = i + 3;
        std::uint32_t v = 0;
        std::size_t digits = 0;
        while (j < s.size() && is_hex(static_cast<unsigned char>(s[j]))) {
          v = v * 16 + static_cast<std::uint32_t>(hex_val(static_cast<unsigned char>(s[j])));
          if (v > 0x10FFFF) return i;
          ++j;
          ++digits;
        }
        if (digits == 0 || j >= s.size() || s[j] != '}') return i;
      } else {
        for (std::size_t k = 2; k < 6; ++k)
          if (i + k >= s.size() || !is_hex(static_cast<unsigned char>(s[i + k]))) return i;
      }
    } else if (template_rules) {
      if (c == '0' && i + 2 < s.size() && s[i + 2] >= '0' && s[i + 2] <= '9') return i;
      if (c >= '1' && c <= '9') return i;
    }
    ++i;  // skip the escaped character
  }
  return std::string::npos;
}

// Legacy octal escapes (\0 followed by a digit, \1-\7) and \8 \9: not in strict code.
bool has_octal_escape(const std::string &s) {
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '\\') continue;
    char c = s[i + 1];
    if (c == '0' && i + 2 < s.size() && s[i + 2] >= '0' && s[i + 2] <= '9') return true;
    if (c >= '1' && c <= '9') return true;
    ++i;
  }
  return false;
}

bool is_legacy_octal_number(const std::string &s) {
  return s.size() >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '9';
}

// Regular expression pattern check (ES2023 22.2.1 with Annex B.1.2 for
// patterns without the u / v flag).
class RegexCheck {
 public:
  RegexCheck(std::u32string_view body, bool unicode, bool sets) : s_(body), u_(unicode || sets), v_(sets) {}

  std::string run() {
    prescan();
    if (!err_.empty()) return err_;
    disjunction();
    if (err_.empty() && i_ < s_.size()) err_ = s_[i_] == ')' ? "unmatched ')'" : "invalid regular expression";
    return err_;
  }

 private:
  std::u32string_view s_;
  std::size_t i_ = 0;
  bool u_, v_;
  int groups_ = 0;
  std::vector<std::u32string> names_;
  std::string err_;

  char32_t peek(std::size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : 0; }
  bool at_end() const { return i_ >= s_.size(); }
  void fail(const char *m) {
    if (err_.empty()) err_ = m;
  }

  void prescan() {
    int cls = 0;
    for (std::size_t i = 0; i < s_.size(); ++i) {
      char32_t c = s_[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (c == '[') {
        ++cls;
        if (!v_) {
          // skip to the end of the class
          for (++i; i < s_.size() && s_[i] != ']'; ++i)
            if (s_[i] == '\\') ++i;
          cls = 0;
        }
        continue;
      }
      if (c == ']' && cls > 0) {
        --cls;
        continue;
      }
      if (cls > 0) continue;
      if (c == '(') {
        if (i + 1 < s_.size() && s_[i + 1] == '?') {
          if (i + 2 < s_.size() && s_[i + 2] == '<' && i + 3 < s_.size() && s_[i + 3] != '=' &&
              s_[i + 3] != '!') {
            std::u32string name;
            std::size_t j = i + 3;
            while (j < s_.size() && s_[j] != '>') name.push_back(s_[j++]);
            if (std::find(names_.begin(), names_.end(), name) != names_.end()) {
              fail("duplicate capture group name");
              return;
            }
            names_.push_back(name);
            ++groups_;
          }
        } else {
          ++groups_;
        }
      }
    }
  }

  void disjunction() {
    alternative();
    while (err_.empty() && peek() == '|') {
      ++i_;
      alternative();
    }
  }

  void alternative() {
    while (err_.empty() && !at_end() && peek() != '|' && peek() != ')') term();
  }

  static bool is_quant_start(char32_t c) { return c == '*' || c == '+' || c == '?'; }

  // Parses {n}, {n,}, {n,m} at i_ if present (consumes it). Returns false if
  // the text there is not a braced quantifier (nothing consumed).
  bool braced_quantifier(bool check_order) {
    std::size_t j = i_;
    if (j >= s_.size() || s_[j] != '{') return false;
    ++j;
    auto digits = [&](std::uint64_t &v) {
      std::size_t start = j;
      v = 0;
      while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') {
        if (v < (1ULL << 40)) v = v * 10 + (s_[j] - '0');
        ++j;
      }
      return j > start;
    };
    std::uint64_t lo = 0, hi = 0;
    if (!digits(lo)) return false;
    bool has_hi = false;
    if (j < s_.size() && s_[j] == ',') {
      ++j;
      has_hi = digits(hi);
    }
    if (j >= s_.size() || s_[j] != '}') return false;
    i_ = j + 1;
    if (check_order && has_hi && hi < lo) fail("numbers out of order in {} quantifier");
    return true;
  }

  void quantifier(bool quantifiable) {
    char32_t c = peek();
    bool q = false;
    if (is_quant_start(c)) {
      ++i_;
      q = true;
    } else if (c == '{') {
      if (braced_quantifier(true)) {
        q = true;
      } else if (u_) {
        fail("incomplete quantifier");
        return;
      }
    }
    if (!q) return;
    if (!quantifiable) {
      fail("nothing to repeat");
      return;
    }
    if (peek() == '?') ++i_;
    if (is_quant_start(peek()) || (peek() == '{' && u_)) fail("nothing to repeat");
    if (peek() == '{' && !u_) {
      std::size_t save = i_;
      if (braced_quantifier(false)) {
        i_ = save;
        fail("nothing to repeat");
      }
    }
  }

  void group_name() {
    // at the char after '<'
    std::size_t start = i_;
    while (!at_end() && peek() != '>') ++i_;
    if (at_end() || i_ == start) {
      fail("invalid capture group name");
      return;
    }
    ++i_;
  }

  void term() {
    char32_t c = peek();
    switch (c) {
      case '^':
      case '$':
        ++i_;
        quantifier(false);
        return;
      case '\\':
        if (peek(1) == 'b' || peek(1) == 'B') {
          i_ += 2;
          quantifier(false);
          return;
        }
        atom_escape();
        quantifier(true);
        return;
      case '(': {
        ++i_;
        bool quantifiable = true;
        if (peek() == '?') {
          char32_t k = peek(1);
          if (k == '=' || k == '!') {
            i_ += 2;
            quantifiable = !u_;
          } else if (k == ':') {
            i_ += 2;
          } else if (k == '<' && (peek(2) == '=' || peek(2) == '!')) {
            i_ += 3;
            quantifiable = false;
          } else if (k == '<') {
            i_ += 2;
            group_name();
          } else {
            fail("invalid group");
            return;
          }
        }
        disjunction();
        if (!err_.empty()) return;
        if (peek() != ')') {
          fail("unterminated group");
          return;
        }
        ++i_;
        quantifier(quantifiable);
        return;
      }
      case ')':
        fail("unmatched ')'");
        return;
      case '[':
        char_class();
        quantifier(true);
        return;
      case '*':
      case '+':
      case '?':
        fail("nothing to repeat");
        return;
      case '{':
        if (u_) {
          fail("lone quantifier brackets");
          return;
        }
        {
          std::size_t save = i_;
          if (braced_quantifier(false)) {
            i_ = save;
            fail("nothing to repeat");
            return;
          }
        }
        ++i_;
        quantifier(true);
        return;
      case '}':
      case ']':
        if (u_) {
          fail("lone quantifier brackets");
          return;
        }
        ++i_;
        quantifier(true);
        return;
      default:
        ++i_;
        quantifier(true);
        return;
    }
  }

  static bool syntax_char(char32_t c) {
    switch (c) {
      case '^': case '$': case '\\': case '.': case '*': case '+': case '?': case '(':
      case ')': case '[': case ']': case '{': case '}': case '|': case '/':
        return true;
      default:
        return false;
    }
  }

  bool unicode_property() {
    // at '{' after \p
    if (peek() != '{') return false;
    std::size_t j = i_ + 1;
    std::size_t start = j;
    while (j < s_.size() && s_[j] != '}') {
      char32_t c = s_[j];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '='))
        return false;
      ++j;
    }
    if (j >= s_.size() || j == start) return false;
    i_ = j + 1;
    return true;
  }

  // \u escape in unicode mode at the 'u'. Returns the code point or -1.
  long unicode_escape() {
    if (peek(1) == '{') {
      std::size_t j = i_ + 2;
      long v = 0;
      std::size_t digits = 0;
      while (j < s_.size() && is_hex(s_[j])) {
        v = v * 16 + hex_val(s_[j]);
        if (v > 0x10FFFF) return -1;
        ++j;
        ++digits;
      }
      if (digits == 0 || j >= s_.size() || s_[j] != '}') return -1;
      i_ = j + 1;
      return v;
    }
    long v = 0;
    for (std::size_t k = 1; k <= 4; ++k) {
      if (!is_hex(peek(k))) return -1;
      v = v * 16 + hex_val(peek(k));
    }
    i_ += 5;
    // surrogate pair \uD83D\uDE00
    if (v >= 0xD800 && v <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
      long lo = 0;
      bool ok = true;
      for (std::size_t k = 2; k <= 5; ++k) {
        if (!is_hex(peek(k))) {
          ok = false;
          break;
        }
        lo = lo * 16 + hex_val(peek(k));
      }
      if (ok && lo >= 0xDC00 && lo <= 0xDFFF) {
        i_ += 6;
        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
      }
    }
    return v;
  }

  // Escape outside a class: i_ at '\\'.
  void atom_escape() {
    ++i_;
    if (at_end()) {
      fail("\\ at end of pattern");
      return;
    }
    char32_t c = peek();
    if (c >= '1' && c <= '9') {
      std::uint64_t n = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (n < 100000) n = n * 10 + (peek() - '0');
        ++i_;
      }
      if (u_ && n > static_cast<std::uint64_t>(groups_)) fail("invalid escape");
      return;
    }
    switch (c) {
      case '0':
        ++i_;
        if (u_ && peek() >= '0' && peek() <= '9') fail("invalid decimal escape");
        return;
      case 'k':
        ++i_;
        if (u_ || !names_.empty()) {
          if (peek() != '<') {
            fail("invalid named reference");
            return;
          }
          ++i_;
          std::u32string name;
          while (!at_end() && peek() != '>') name.push_back(s_[i_++]);
          if (at_end() || std::find(names_.begin(), names_.end(), name) == names_.end()) {
            fail("invalid named capture referenced");
            return;
          }
          ++i_;
        }
        return;
      case 'c':
        ++i_;
        if ((peek() >= 'a' && peek() <= 'z') || (peek() >= 'A' && peek() <= 'Z')) {
          ++i_;
        } else if (u_) {
          fail("invalid unicode escape");
        }
        return;
      case 'p':
      case 'P':
        ++i_;
        if (u_ && !unicode_property()) fail("invalid property name");
        return;
      case 'u':
        if (u_) {
          if (unicode_escape() < 0) fail("invalid unicode escape");
        } else {
          ++i_;
        }
        return;
      case 'x':
        ++i_;
        if (is_hex(peek()) && is_hex(peek(1))) {
          i_ += 2;
        } else if (u_) {
          fail("invalid escape");
        }
        return;
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
      case 'f': case 'n': case 'r': case 't': case 'v':
        ++i_;
        return;
      default:
        if (u_ && !syntax_char(c)) {
          fail("invalid escape");
          return;
        }
        ++i_;
        return;
    }
  }

  // One class atom; returns its code point or -1 for a class escape.
  long class_atom() {
    char32_t c = peek();
    if (c != '\\') {
      ++i_;
      return static_cast<long>(c);
    }
    ++i_;
    if (at_end()) {
      fail("\\ at end of pattern");
      return 0;
    }
    c = peek();
    switch (c) {
      case 'b': ++i_; return 8;
      case '-': ++i_; return '-';
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
        ++i_;
        return -1;
      case 'p':
      case 'P':
        ++i_;
        if (u_) {
          if (!unicode_property()) fail("invalid property name");
          return -1;
        }
        return static_cast<long>(c);
      case 'f': ++i_; return 12;
      case 'n': ++i_; return 10;
      case 'r': ++i_; return 13;
      case 't': ++i_; return 9;
      case 'v': ++i_; return 11;
      case 'c':
        ++i_;
        if ((peek() >= 'a' && peek() <= 'z') || (peek() >= 'A' && peek() <= 'Z')) {
          long v = static_cast<long>(peek() % 32);
          ++i_;
          return v;
        }
        if (!u_ && ((peek() >= '0' && peek() <= '9') || peek() == '_')) {
          long v = static_cast<long>(peek() % 32);
          ++i_;
          return v;
        }
        if (u_) fail("invalid class escape");
        return '\\';
      case 'x':
        ++i_;
        if (is_hex(peek()) && is_hex(peek(1))) {
          long v = hex_val(peek()) * 16 + hex_val(peek(1));
          i_ += 2;
          return v;
        }
        if (u_) fail("invalid escape");
        return 'x';
      case 'u':
        if (u_) {
          long v = unicode_escape();
          if (v < 0) fail("invalid unicode escape");
          return v < 0 ? 0 : v;
        }
        ++i_;
        if (is_hex(peek()) && is_hex(peek(1)) && is_hex(peek(2)) && is_hex(peek(3))) {
          long v = 0;
          for (int k = 0; k < 4; ++k) v = v * 16 + hex_val(s_[i_ + k]);
          i_ += 4;
          return v;
        }
        return 'u';
      default:
        if (c >= '0' && c <= '9') {
          if (u_) {
            if (c == '0' && !(peek(1) >= '0' && peek(1) <= '9')) {
              ++i_;
              return 0;
            }
            fail("invalid class escape");
            return 0;
          }
          // legacy octal
          long v = 0;
          int k = 0;
          while (k < 3 && peek() >= '0' && peek() <= '7') {
            v = v * 8 + (peek() - '0');
            ++i_;
            ++k;
          }
          if (k == 0) {
            ++i_;
            return static_cast<long>(c);
          }
          return v;
        }
        if (u_ && !syntax_char(c)) {
          fail("invalid escape");
          return 0;
        }
        ++i_;
        return static_cast<long>(c);
    }
  }

  void char_class() {
    ++i_;  // '['
    if (v_) {
      int depth = 1;
      while (!at_end() && depth > 0) {
        char32_t c = peek();
        if (c == '\\') {
          i_ += 2;
          continue;
        }
        if (c == '[') ++depth;
        if (c == ']') --depth;
        ++i_;
      }
      if (depth > 0) fail("unterminated character class");
      return;
    }
    if (peek() == '^') ++i_;
    while (err_.empty() && !at_end() && peek() != ']') {
      long a = class_atom();
      if (!err_.empty()) return;
      if (peek() == '-' && peek(1) != ']' && i_ + 1 < s_.size()) {
        ++i_;
        long b = class_atom();
        if (!err_.empty()) return;
        if (a < 0 || b < 0) {
          if (u_) fail("invalid character class");
        } else if (a > b) {
          fail("range out of order in character class");
        }
      }
    }
    if (at_end()) {
      fail("unterminated character class");
      return;
    }
    ++i_;  // ']'
  }
};

// Returns an error message for a regular expression literal token, or "".
std::string check_regex_literal(const std::u32string &text) {
  // text = /body/flags
  std::size_t close = text.size();
  while (close > 1 && text[close - 1] != '/') --close;
  std::u32string_view body(text.data() + 1, close - 2);
  std::u32string_view flags(text.data() + close, text.size() - close);
  bool u = false, v = false;
  std::string seen;
  for (char32_t f : flags) {
    if (f == '\\') return "invalid regular expression flags";
    if (f > 0x7F || std::string("dgimsuyv").find(static_cast<char>(f)) == std::string::npos)
      return "invalid regular expression flags";
    if (seen.find(static_cast<char>(f)) != std::string::npos) return "duplicate regular expression flag";
    seen.push_back(static_cast<char>(f));
    if (f == 'u') u = true;
    if (f == 'v') v = true;
  }
  if (u && v) return "invalid regular expression flags";
  RegexCheck rc(body, u, v);
  std::string e = rc.run();
  if (!e.empty()) return "invalid regular expression: " + e;
  return "";
}

// ---------------------------------------------------------- error strategy

class FirstErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  Token *offending = nullptr;

  void reportError(antlr4::Parser *p, const antlr4::RecognitionException &e) override {
    if (offending == nullptr) offending = e.getOffendingToken() != nullptr ? e.getOffendingToken() : p->getCurrentToken();
  }
  void recover(antlr4::Parser *, std::exception_ptr) override { throw antlr4::ParseCancellationException(); }
  Token *recoverInline(antlr4::Parser *p) override {
    if (offending == nullptr) offending = p->getCurrentToken();
    throw antlr4::ParseCancellationException();
  }
  void sync(antlr4::Parser *) override {}
};

// Token stream that remembers the furthest token looked at.
class TrackingTokenStream : public antlr4::CommonTokenStream {
 public:
  using antlr4::CommonTokenStream::CommonTokenStream;
  std::size_t high_water = 0;
  Token *LT(ssize_t k) override {
    Token *t = antlr4::CommonTokenStream::LT(k);
    if (t != nullptr && k > 0 && t->getTokenIndex() > high_water) high_water = t->getTokenIndex();
    return t;
  }
};

// Reports a failed prediction at the furthest token its lookahead reached.
//  * When every alternative fails, ANTLR normally predicts an alternative
//    that "finished the decision rule" (possibly with a failed predicate) so
//    that the error is reported later: disabled.
//  * When the alternative that survives the lookahead is then rejected by a
//    predicate (ASI, [no LineTerminator here], statement-start restrictions),
//    ANTLR reports the error at the decision's first token: we move it to
//    the furthest token looked at, so that "all interpretations ran out of
//    input" (EOF = incomplete) is recognised.
class FurthestErrorSimulator : public antlr4::atn::ParserATNSimulator {
 public:
  using antlr4::atn::ParserATNSimulator::ParserATNSimulator;
  size_t getAltThatFinishedDecisionEntryRule(antlr4::atn::ATNConfigSet *) override {
    return antlr4::atn::ATN::INVALID_ALT_NUMBER;
  }
  size_t adaptivePredict(antlr4::TokenStream *input, size_t decision, ParserRuleContext *outer) override {
    auto *ts = static_cast<TrackingTokenStream *>(input);
    ts->high_water = input->index();
    try {
      return antlr4::atn::ParserATNSimulator::adaptivePredict(input, decision, outer);
    } catch (antlr4::NoViableAltException &e) {
      Token *off = e.getOffendingToken();
      if (off != nullptr && ts->high_water > off->getTokenIndex())
        throw antlr4::NoViableAltException(parser, input, e.getStartToken(), input->get(ts->high_water), nullptr,
                                           outer, false);
      throw;
    }
  }
};

// --------------------------------------------------------- tree utilities

template <class T>
T *as(ParseTree *t) {
  return dynamic_cast<T *>(t);
}

P::PrimaryExpressionContext *primary_of(P::SingleExpressionContext *e) {
  auto *l = as<P::LhsExprContext>(e);
  if (l == nullptr) return nullptr;
  auto *c = as<P::PrimaryExprContext>(l->callExpression());
  return c == nullptr ? nullptr : c->primaryExpression();
}

P::CallExpressionContext *call_of(P::SingleExpressionContext *e) {
  auto *l = as<P::LhsExprContext>(e);
  return l == nullptr ? nullptr : l->callExpression();
}

// The single expression of an assignmentExpression without operator.
P::SingleExpressionContext *plain(P::AssignmentExpressionContext *a) {
  if (a == nullptr || a->assignmentOperator() != nullptr) return nullptr;
  return a->singleExpression();
}

// `( x )` with exactly one plain item: the item, else null.
P::AssignmentExpressionContext *paren_single(P::PrimaryExpressionContext *p) {
  auto *pe = as<P::ParenExprContext>(p);
  if (pe == nullptr) return nullptr;
  auto items = pe->parenItem();
  if (items.size() != 1 || !pe->Comma().empty() || items[0]->Ellipsis() != nullptr) return nullptr;
  return items[0]->assignmentExpression();
}

// Whether an optional chain (`?.`) occurs in the member/call chain of c.
bool in_optional_chain(P::CallExpressionContext *c) {
  while (c != nullptr) {
    if (as<P::OptionalExprContext>(c)) return true;
    if (auto *x = as<P::IndexExprContext>(c)) {
      c = x->callExpression();
    } else if (auto *x2 = as<P::DotExprContext>(c)) {
      c = x2->callExpression();
    } else if (auto *x3 = as<P::CallExprContext>(c)) {
      c = x3->callExpression();
    } else if (auto *x4 = as<P::TaggedTemplateExprContext>(c)) {
      c = x4->callExpression();
    } else {
      return false;
    }
  }
  return false;
}

bool is_simple_params(P::FormalParameterListContext *fp) {
  if (fp == nullptr) return true;
  if (fp->functionRestParameter() != nullptr) return false;
  for (auto *p : fp->formalParameter()) {
    auto *be = p->bindingElement();
    if (be->Assign() != nullptr || be->bindingTarget()->bindingIdentifier() == nullptr) return false;
  }
  return true;
}

void binding_names(P::BindingTargetContext *t, std::vector<Token *> &out);

void binding_element_names(P::BindingElementContext *e, std::vector<Token *> &out) {
  binding_names(e->bindingTarget(), out);
}

void binding_names(P::BindingTargetContext *t, std::vector<Token *> &out) {
  if (t == nullptr) return;
  if (auto *id = t->bindingIdentifier()) {
    out.push_back(id->getStart());
  } else if (auto *o = t->objectBindingPattern()) {
    for (auto *bp : o->bindingProperty()) {
      if (bp->bindingElement() != nullptr)
        binding_element_names(bp->bindingElement(), out);
      else if (bp->bindingIdentifier() != nullptr)
        out.push_back(bp->bindingIdentifier()->getStart());
    }
    if (o->bindingRestProperty() != nullptr) out.push_back(o->bindingRestProperty()->bindingIdentifier()->getStart());
  } else if (auto *a = t->arrayBindingPattern()) {
    for (auto *ch : a->children) {
      if (auto *be = as<P::BindingElementContext>(ch)) binding_element_names(be, out);
      if (auto *re = as<P::BindingRestElementContext>(ch)) binding_names(re->bindingTarget(), out);
    }
  }
}

void param_names(P::FormalParameterListContext *fp, std::vector<Token *> &out) {
  if (fp == nullptr) return;
  for (auto *p : fp->formalParameter()) binding_element_names(p->bindingElement(), out);
  if (fp->functionRestParameter() != nullptr) binding_names(fp->functionRestParameter()->bindingTarget(), out);
}

// Whether the statement list starts with a "use strict" directive.
bool directive_prologue_strict(const std::vector<P::StatementListItemContext *> &items) {
  for (auto *it : items) {
    auto *st = it->statement();
    if (st == nullptr) return false;
    auto *es = st->expressionStatement();
    if (es == nullptr) return false;
    auto list = es->expression()->assignmentExpression();
    if (list.size() != 1) return false;
    auto *pr = primary_of(plain(list[0]));
    auto *lit = as<P::LiteralExprContext>(pr);
    if (lit == nullptr || lit->literal()->StringLiteral() == nullptr) return false;
    std::string s = lit->literal()->StringLiteral()->getText();
    if (s == "'use strict'" || s == "\"use strict\"") return true;
  }
  return false;
}

// --------------------------------------------------------------- checker

struct Problem {
  bool set = false;
  std::size_t cp = 0;       // code point index
  std::string message;
  bool cover = false;       // might be fixed by a continuation (`=` / `=>`)
  std::size_t token_index = 0;
};

void note(Problem &p, std::size_t cp, std::string msg, bool cover = false, std::size_t token_index = 0) {
  if (p.set && p.cp <= cp) return;
  p.set = true;
  p.cp = cp;
  p.message = std::move(msg);
  p.cover = cover;
  p.token_index = token_index;
}

class Checker {
 public:
  Checker(JsConfirmOptions::Goal goal) : goal_(goal) {}
  Problem problem;

  void run(P::ProgramContext *prog) {
    std::vector<P::StatementListItemContext *> items;
    for (auto *mi : prog->moduleItem()) {
      if (mi->statementListItem() == nullptr) break;
      items.push_back(mi->statementListItem());
    }
    Fn top;
    top.strict = goal_ == JsConfirmOptions::Goal::Module || directive_prologue_strict(items);
    // Node runs a script file as a CommonJS module, inside a function: its
    // top level may `return` (the chunker's goal; not ECMAScript's Script).
    top.return_ok = goal_ == JsConfirmOptions::Goal::Repl;
    fns_.push_back(top);
    walk(prog);
  }

 private:
  struct Fn {
    bool strict = false;
    bool return_ok = false;
    bool new_target_ok = false;
    int loops = 0;
    int breakables = 0;
    std::vector<std::pair<std::string, bool>> labels;  // name, labels a loop
  };
  JsConfirmOptions::Goal goal_;
  std::vector<Fn> fns_;
  std::unordered_set<ParseTree *> cover_ok_;
  bool in_for_decl_head_ = false;

  Fn &fn() { return fns_.back(); }
  bool strict() const { return fns_.back().strict; }

  void fail(Token *t, std::string msg, bool cover = false) {
    note(problem, t->getStartIndex(), std::move(msg), cover, t->getTokenIndex());
  }
  void fail(ParserRuleContext *c, std::string msg, bool cover = false) { fail(c->getStart(), std::move(msg), cover); }

  void walk_children(ParseTree *t) {
    for (auto *ch : t->children) walk(ch);
  }

  // ---- assignment targets

  bool simple_target(P::SingleExpressionContext *e) {
    auto *c = call_of(e);
    if (c == nullptr) return false;
    if (as<P::IndexExprContext>(c) || as<P::DotExprContext>(c)) return !in_optional_chain(c);
    if (as<P::SuperMemberExprContext>(c)) return true;
    auto *pe = as<P::PrimaryExprContext>(c);
    if (pe == nullptr) return false;
    auto *p = pe->primaryExpression();
    if (auto *id = as<P::IdentifierExprContext>(p)) {
      if (strict()) {
        std::string n = identifier_text(id->getStart());
        if (n == "eval" || n == "arguments") return false;
      }
      return true;
    }
    if (auto *inner = paren_single(p)) return simple_target(plain(inner));
    return false;
  }

  void check_destructuring_target(P::SingleExpressionContext *e) {
    auto *p = primary_of(e);
    if (as<P::ObjectExprContext>(p) || as<P::ArrayExprContext>(p)) {
      check_assignment_pattern(p);
      return;
    }
    if (!simple_target(e)) fail(e, "invalid destructuring assignment target");
  }

  void check_destructuring_element(P::AssignmentExpressionContext *a) {
    if (a->assignmentOperator() != nullptr) {
      if (a->assignmentOperator()->Assign() == nullptr) {
        fail(a, "invalid destructuring assignment target");
        return;
      }
    }
    check_destructuring_target(a->singleExpression());
  }

  void check_assignment_pattern(P::PrimaryExpressionContext *p) {
    if (auto *oe = as<P::ObjectExprContext>(p)) {
      auto *ol = oe->objectLiteral();
      auto props = ol->propertyDefinition();
      bool trailing_comma = !props.empty() && ol->Comma().size() >= props.size();
      for (std::size_t i = 0; i < props.size(); ++i) {
        auto *pd = props[i];
        if (auto *sp = as<P::PropSpreadContext>(pd)) {
          if (i + 1 != props.size() || trailing_comma) {
            fail(sp, "rest element must be last element");
            continue;
          }
          auto *t = plain(sp->assignmentExpression());
          if (t == nullptr || !simple_target(t)) fail(sp->assignmentExpression(), "invalid rest element");
        } else if (as<P::PropMethodContext>(pd)) {
          fail(pd, "invalid destructuring assignment target");
        } else if (auto *kv = as<P::PropKeyValueContext>(pd)) {
          check_destructuring_element(kv->assignmentExpression());
        } else if (as<P::PropCoverInitContext>(pd)) {
          cover_ok_.insert(pd);
        } else if (auto *sh = as<P::PropShorthandContext>(pd)) {
          if (strict()) {
            std::string n = identifier_text(sh->getStart());
            if (n == "eval" || n == "arguments") fail(sh, "unexpected eval or arguments in strict mode");
          }
        }
      }
      return;
    }
    if (auto *ae = as<P::ArrayExprContext>(p)) {
      auto &ch = ae->arrayLiteral()->children;
      // children: '[' (',' | arrayElement)* ']'
      for (std::size_t i = 1; i + 1 < ch.size(); ++i) {
        auto *el = as<P::ArrayElementContext>(ch[i]);
        if (el == nullptr) continue;
        if (el->Ellipsis() != nullptr) {
          if (i + 2 != ch.size()) {
            fail(el, "rest element must be last element");
            continue;
          }
          auto *t = plain(el->assignmentExpression());
          if (t == nullptr) {
            fail(el->assignmentExpression(), "invalid rest element");
            continue;
          }
          check_destructuring_target(t);
        } else {
          check_destructuring_element(el->assignmentExpression());
        }
      }
    }
  }

  // ---- function-like scopes

  void enter_function(ParserRuleContext *node, P::FormalParameterListContext *params, P::FunctionBodyContext *body,
                      bool arrow, bool method) {
    Fn f;
    bool directive = body != nullptr && directive_prologue_strict(body->statementListItem());
    f.strict = fn().strict || directive;
    f.return_ok = true;
    f.new_target_ok = arrow ? fn().new_target_ok : true;
    fns_.push_back(f);
    bool simple = is_simple_params(params);
    if (directive && !simple) fail(node, "\"use strict\" not allowed in function with non-simple parameters");
    if (arrow || method || f.strict || !simple) {
      std::vector<Token *> names;
      param_names(params, names);
      std::unordered_set<std::string> seen;
      for (auto *t : names) {
        if (!seen.insert(identifier_text(t)).second) fail(t, "duplicate parameter name");
      }
    }
  }

  void check_plain_function_body(P::FunctionDeclarationContext *fd, const char *where) {
    if (fd->AsyncFn() != nullptr || fd->Multiply() != nullptr || strict())
      fail(fd, std::string("function declarations are not allowed ") + where);
  }

  void check_class_tail(P::ClassTailContext *ct) {
    bool have_ctor = false;
    for (auto *el : ct->classElement()) {
      bool is_static = false;
      P::ClassElementNameContext *name = nullptr;
      P::MethodDefinitionContext *md = nullptr;
      if (auto *cm = as<P::ClassMethodContext>(el)) {
        is_static = cm->staticModifier() != nullptr;
        md = cm->methodDefinition();
        name = md->classElementName();
      } else if (auto *cf = as<P::ClassFieldContext>(el)) {
        is_static = cf->staticModifier() != nullptr;
        name = cf->fieldDefinition()->classElementName();
      } else {
        continue;
      }
      std::string key;
      if (name->PrivateName() != nullptr) {
        if (name->PrivateName()->getText() == "#constructor") fail(name, "classes may not have a private field named '#constructor'");
        continue;
      }
      auto *pn = name->propertyName();
      if (pn->identifierName() != nullptr) {
        key = identifier_text(pn->getStart());
      } else if (pn->StringLiteral() != nullptr) {
        std::string s = pn->StringLiteral()->getText();
        key = s.substr(1, s.size() - 2);
      } else {
        continue;
      }
      if (md == nullptr) {
        if (key == "constructor" || (is_static && key == "prototype"))
          fail(name, "classes may not have a field named '" + key + "'");
        continue;
      }
      if (is_static) {
        if (key == "prototype") fail(name, "classes may not have a static property named 'prototype'");
        continue;
      }
      if (key != "constructor") continue;
      if (md->Get() != nullptr || md->GetMod() != nullptr || md->Set() != nullptr || md->SetMod() != nullptr ||
          md->Multiply() != nullptr || md->AsyncMod() != nullptr) {
        fail(name, "class constructor may not be an accessor, generator or async");
      } else if (have_ctor) {
        fail(name, "a class may only have one constructor");
      }
      have_ctor = true;
    }
  }

  void check_declarations(P::VariableDeclarationListContext *list, bool is_const, bool is_lexical) {
    for (auto *d : list->variableDeclaration()) {
      auto *bt = d->bindingTarget();
      if (!in_for_decl_head_ && d->Assign() == nullptr) {
        // `= value` may still follow: fixable by a continuation
        if (bt->bindingIdentifier() == nullptr) fail(d, "missing initializer in destructuring declaration", true);
        else if (is_const) fail(d, "missing initializer in const declaration", true);
      }
      if (is_lexical) {
        std::vector<Token *> names;
        binding_names(bt, names);
        for (auto *t : names)
          if (identifier_text(t) == "let") fail(t, "let is disallowed as a lexically bound name");
      }
    }
  }

  void check_for(P::ForStatementContext *fs) {
    auto *first = fs->forFirst();
    auto *rest = fs->forRest();
    bool in = rest->In() != nullptr, of = rest->Of() != nullptr;
    if ((fs->Await() != nullptr || fs->AwaitKw() != nullptr) && !of) fail(fs, "for await requires 'of'");
    if (!in && !of) {
      if (first != nullptr && first->letOrConst() != nullptr)
        check_declarations(first->variableDeclarationList(), first->letOrConst()->Const() != nullptr, true);
      else if (first != nullptr && first->Var() != nullptr)
        check_declarations(first->variableDeclarationList(), false, false);
      return;
    }
    if (first == nullptr) {
      fail(rest, "unexpected token");
      return;
    }
    if (first->expression() != nullptr) {
      auto list = first->expression()->assignmentExpression();
      if (list.size() != 1 || list[0]->assignmentOperator() != nullptr) {
        fail(first, "invalid left-hand side in for-" + std::string(in ? "in" : "of") + " loop");
        return;
      }
      auto *e = list[0]->singleExpression();
      if (of && first->getStart()->getType() == L::Let) fail(first, "the left-hand side of a for-of loop may not be 'let'");
      if (of && fs->Await() == nullptr && fs->AwaitKw() == nullptr && first->getStart()->getType() == L::Async &&
          first->getStart() == first->getStop())
        fail(first, "the left-hand side of a for-of loop may not be 'async'");
      auto *p = primary_of(e);
      if (as<P::ObjectExprContext>(p) || as<P::ArrayExprContext>(p))
        check_assignment_pattern(p);
      else if (!simple_target(e))
        fail(first, "invalid left-hand side in for loop");
      return;
    }
    auto decls = first->variableDeclarationList()->variableDeclaration();
    if (decls.size() != 1) {
      fail(first, "only one variable may be declared in the head of a for-in/of loop");
      return;
    }
    auto *d = decls[0];
    bool is_var = first->Var() != nullptr;
    if (d->Assign() != nullptr &&
        !(in && is_var && !strict() && d->bindingTarget()->bindingIdentifier() != nullptr))
      fail(d, "for-in/of loop variable declaration may not have an initializer");
    if (!is_var) {
      std::vector<Token *> names;
      binding_names(d->bindingTarget(), names);
      for (auto *t : names)
        if (identifier_text(t) == "let") fail(t, "let is disallowed as a lexically bound name");
    }
  }

  bool label_exists(const std::string &name, bool need_loop) {
    for (auto &l : fn().labels)
      if (l.first == name) return !need_loop || l.second;
    return false;
  }

  // ---- the walk

  void walk(ParseTree *t) {
    check_stack();
    if (auto *term = dynamic_cast<TerminalNode *>(t)) {
      terminal(term->getSymbol());
      return;
    }
    auto *ctx = static_cast<ParserRuleContext *>(t);
    switch (ctx->getRuleIndex()) {
      case P::RuleFunctionDeclaration: {
        auto *fd = static_cast<P::FunctionDeclarationContext *>(ctx);
        if (fd->bindingIdentifier() == nullptr && as<P::ExportDefaultDeclContext>(fd->parent) == nullptr)
          fail(fd, "function statement requires a name");
        enter_function(fd, fd->functionTail()->formalParameterList(), fd->functionTail()->functionBody(), false, false);
        walk_children(fd);
        fns_.pop_back();
        return;
      }
      case P::RuleFunctionExpression: {
        auto *fe = static_cast<P::FunctionExpressionContext *>(ctx);
        enter_function(fe, fe->functionTail()->formalParameterList(), fe->functionTail()->functionBody(), false, false);
        walk_children(fe);
        fns_.pop_back();
        return;
      }
      case P::RuleMethodDefinition: {
        auto *md = static_cast<P::MethodDefinitionContext *>(ctx);
        // The name (possibly computed) belongs to the enclosing scope.
        walk(md->classElementName());
        P::FormalParameterListContext *params = md->formalParameterList();
        enter_function(md, params, md->functionBody(), false, true);
        for (auto *ch : md->children)
          if (ch != md->classElementName()) walk(ch);
        fns_.pop_back();
        if (as<P::PropMethodContext>(md->parent) && md->classElementName()->PrivateName() != nullptr)
          fail(md->classElementName(), "private names are only allowed in classes");
        return;
      }
      case P::RuleArrowFunction: {
        auto *af = static_cast<P::ArrowFunctionContext *>(ctx);
        auto *body = af->arrowBody()->functionBody();
        enter_function(af, af->arrowParameters()->formalParameterList(), body, true, false);
        walk_children(af);
        fns_.pop_back();
        return;
      }
      case P::RuleClassDeclaration:
      case P::RuleClassExpression: {
        if (auto *cd = as<P::ClassDeclarationContext>(ctx)) {
          if (cd->bindingIdentifier() == nullptr && as<P::ExportDefaultDeclContext>(cd->parent) == nullptr)
            fail(cd, "class statement requires a name");
        }
        Fn f = fn();
        f.strict = true;
        fns_.push_back(f);
        walk_children(ctx);
        fns_.pop_back();
        return;
      }
      case P::RuleClassTail:
        check_class_tail(static_cast<P::ClassTailContext *>(ctx));
        walk_children(ctx);
        return;
      case P::RuleClassElement:
        if (as<P::StaticBlockContext>(ctx)) {
          Fn f;
          f.strict = true;
          f.new_target_ok = true;
          fns_.push_back(f);
          walk_children(ctx);
          fns_.pop_back();
          return;
        }
        walk_children(ctx);
        return;
      case P::RuleFieldDefinition: {
        auto *fd = static_cast<P::FieldDefinitionContext *>(ctx);
        walk(fd->classElementName());
        Fn f;
        f.strict = true;
        f.new_target_ok = true;
        fns_.push_back(f);
        for (auto *ch : fd->children)
          if (ch != fd->classElementName()) walk(ch);
        fns_.pop_back();
        return;
      }
      case P::RuleAssignmentExpression: {
        auto *a = static_cast<P::AssignmentExpressionContext *>(ctx);
        if (auto *op = a->assignmentOperator()) {
          auto *lhs = a->singleExpression();
          auto *p = primary_of(lhs);
          if (op->Assign() != nullptr && (as<P::ObjectExprContext>(p) || as<P::ArrayExprContext>(p))) {
            check_assignment_pattern(p);
          } else if (!simple_target(lhs)) {
            fail(lhs, "invalid assignment target");
          }
        }
        walk_children(ctx);
        return;
      }
      case P::RuleSingleExpression:
        single_expression(static_cast<P::SingleExpressionContext *>(ctx));
        walk_children(ctx);
        return;
      case P::RuleCallExpression:
        call_expression(static_cast<P::CallExpressionContext *>(ctx));
        walk_children(ctx);
        return;
      case P::RulePrimaryExpression:
        if (auto *pe = as<P::ParenExprContext>(ctx)) {
          auto items = pe->parenItem();
          if (items.empty()) {
            fail(pe, "unexpected token ')'", true);
          } else if (pe->Comma().size() >= items.size()) {
            fail(pe->Comma().back()->getSymbol(), "unexpected token ','", true);
          } else {
            for (auto *it : items)
              if (it->Ellipsis() != nullptr) fail(it, "unexpected token '...'", true);
          }
        }
        walk_children(ctx);
        return;
      case P::RulePropertyDefinition:
        if (as<P::PropCoverInitContext>(ctx) && cover_ok_.count(ctx) == 0)
          fail(ctx, "invalid shorthand property initializer", true);
        walk_children(ctx);
        return;
      case P::RuleArrayLiteral:
      case P::RuleArrayBindingPattern: {
        auto &ch = ctx->children;
        bool prev_element = false;
        for (std::size_t i = 1; i + 1 < ch.size(); ++i) {
          bool is_comma = dynamic_cast<TerminalNode *>(ch[i]) != nullptr;
          if (!is_comma) {
            if (prev_element) fail(static_cast<ParserRuleContext *>(ch[i]), "unexpected token");
            if (as<P::BindingRestElementContext>(ch[i]) && i + 2 != ch.size())
              fail(static_cast<ParserRuleContext *>(ch[i]), "rest element must be last element");
          }
          prev_element = !is_comma;
        }
        walk_children(ctx);
        return;
      }
      case P::RuleTemplateLiteral:  // untagged (tagged ones are taggedTemplate)
        for (auto *sp : static_cast<P::TemplateLiteralContext *>(ctx)->templateSpan()) {
          if (sp->TemplateChars() == nullptr) continue;
          if (bad_escape(sp->TemplateChars()->getText(), true) != std::string::npos)
            fail(sp, "invalid escape sequence in template literal");
        }
        walk_children(ctx);
        return;
      case P::RuleIdentifier:
        identifier(static_cast<P::IdentifierContext *>(ctx));
        return;
      case P::RuleBindingIdentifier: {
        if (strict()) {
          std::string n = identifier_text(ctx->getStart());
          if (n == "eval" || n == "arguments") fail(ctx, "unexpected eval or arguments in strict mode");
        }
        walk_children(ctx);
        return;
      }
      case P::RuleVariableStatement:
        check_declarations(static_cast<P::VariableStatementContext *>(ctx)->variableDeclarationList(), false, false);
        walk_children(ctx);
        return;
      case P::RuleLexicalDeclaration: {
        auto *ld = static_cast<P::LexicalDeclarationContext *>(ctx);
        check_declarations(ld->variableDeclarationList(), ld->letOrConst()->Const() != nullptr, true);
        walk_children(ctx);
        return;
      }
      case P::RuleIterationStatement: {
        Fn &f = fn();
        ++f.loops;
        ++f.breakables;
        if (auto *fs = as<P::ForStatementContext>(ctx)) {
          check_for(fs);
          bool decl_head = fs->forRest()->In() != nullptr || fs->forRest()->Of() != nullptr;
          for (auto *ch : fs->children) {
            bool head = ch == fs->forFirst();
            bool save = in_for_decl_head_;
            if (head) in_for_decl_head_ = decl_head;
            walk(ch);
            in_for_decl_head_ = save;
          }
        } else {
          walk_children(ctx);
        }
        --fn().loops;
        --fn().breakables;
        return;
      }
      case P::RuleSwitchStatement:
        ++fn().breakables;
        walk_children(ctx);
        --fn().breakables;
        return;
      case P::RuleLabelledStatement: {
        auto *ls = static_cast<P::LabelledStatementContext *>(ctx);
        std::string name = identifier_text(ls->labelIdentifier()->getStart());
        auto *item = ls->labelledItem();
        if (item->functionDeclaration() != nullptr) check_plain_function_body(item->functionDeclaration(), "as labelled statements");
        bool loop = item->statement() != nullptr && item->statement()->iterationStatement() != nullptr;
        // A label on a labelled loop also labels the loop.
        if (!loop && item->statement() != nullptr && item->statement()->labelledStatement() != nullptr) {
          auto *inner = item->statement()->labelledStatement();
          while (inner != nullptr) {
            auto *ii = inner->labelledItem();
            if (ii->statement() != nullptr && ii->statement()->iterationStatement() != nullptr) {
              loop = true;
              break;
            }
            inner = ii->statement() != nullptr ? ii->statement()->labelledStatement() : nullptr;
          }
        }
        fn().labels.emplace_back(name, loop);
        walk_children(ctx);
        fn().labels.pop_back();
        return;
      }
      case P::RuleBreakStatement: {
        auto *bs = static_cast<P::BreakStatementContext *>(ctx);
        if (bs->labelIdentifier() != nullptr) {
          if (!label_exists(identifier_text(bs->labelIdentifier()->getStart()), false))
            fail(bs->labelIdentifier(), "undefined label");
        } else if (fn().breakables == 0) {
          fail(bs, "illegal break statement", true);  // a label may still follow
        }
        walk_children(ctx);
        return;
      }
      case P::RuleContinueStatement: {
        auto *cs = static_cast<P::ContinueStatementContext *>(ctx);
        if (fn().loops == 0) {
          fail(cs, "illegal continue statement", cs->labelIdentifier() == nullptr);
        } else if (cs->labelIdentifier() != nullptr &&
                   !label_exists(identifier_text(cs->labelIdentifier()->getStart()), true)) {
          fail(cs->labelIdentifier(), "undefined label");
        }
        walk_children(ctx);
        return;
      }
      case P::RuleReturnStatement:
        if (!fn().return_ok) fail(ctx, "illegal return statement");
        walk_children(ctx);
        return;
      case P::RuleWithStatement:
        if (strict()) fail(ctx, "strict mode code may not include a with statement");
        walk_children(ctx);
        return;
      case P::RuleIfStatement:
        for (auto *ss : static_cast<P::IfStatementContext *>(ctx)->subStatement())
          if (ss->functionDeclaration() != nullptr) check_plain_function_body(ss->functionDeclaration(), "in an if statement here");
        walk_children(ctx);
        return;
      case P::RuleExportDeclaration:
        if (auto *en = as<P::ExportNamedContext>(ctx)) {
          if (en->fromClause() == nullptr) {
            for (auto *sp : en->namedExports()->exportSpecifier()) {
              auto *local = sp->moduleExportName(0);
              // (a `from` clause may still follow: fixable by a continuation)
              if (local->StringLiteral() != nullptr) {
                fail(local, "string export names require 'from'", true);
                continue;
              }
              std::string n = identifier_text(local->getStart());
              if (is_reserved_word(n) || is_strict_reserved(n)) fail(local, "unexpected reserved word", true);
            }
          }
        }
        walk_children(ctx);
        return;
      default:
        walk_children(ctx);
        return;
    }
  }

  void terminal(Token *t) {
    if (!strict()) return;
    std::size_t type = t->getType();
    if (type == L::NumericLiteral) {
      if (is_legacy_octal_number(t->getText())) fail(t, "octal literals are not allowed in strict mode");
    } else if (type == L::StringLiteral) {
      if (has_octal_escape(t->getText())) fail(t, "octal escape sequences are not allowed in strict mode");
    }
  }

  void identifier(P::IdentifierContext *id) {
    Token *t = id->getStart();
    std::size_t type = t->getType();
    std::string raw = t->getText();
    if (type == L::Identifier && raw.find('\\') != std::string::npos) {
      std::string n = identifier_text(t);
      if (is_reserved_word(n) && !(n == "yield" && !strict()) && !(n == "await" && goal_ != JsConfirmOptions::Goal::Module))
        fail(t, "keyword must not contain escaped characters");
      else if (strict() && is_strict_reserved(n))
        fail(t, "unexpected strict mode reserved word");
      return;
    }
    if (strict() && type == L::Let) {
      fail(t, "unexpected strict mode reserved word", true);  // `let` may start a declaration
      return;
    }
    if (strict() && (type == L::Static || type == L::Yield || type == L::Implements ||
                     type == L::Interface || type == L::Package || type == L::Private ||
                     type == L::Protected || type == L::Public))
      fail(t, "unexpected strict mode reserved word");
  }

  void single_expression(P::SingleExpressionContext *e) {
    if (as<P::ArrowExprContext>(e) || as<P::YieldExprContext>(e)) {
      auto *parent = as<P::AssignmentExpressionContext>(e->parent);
      if (parent == nullptr || parent->singleExpression() != e)
        fail(e, as<P::ArrowExprContext>(e) ? "malformed arrow function parameter list" : "unexpected yield expression");
      return;
    }
    if (auto *pf = as<P::PostfixExprContext>(e)) {
      if (!simple_target(pf->singleExpression())) fail(pf, "invalid left-hand side expression in postfix operation");
      return;
    }
    if (auto *pr = as<P::PrefixExprContext>(e)) {
      if (!simple_target(pr->singleExpression())) fail(pr, "invalid left-hand side expression in prefix operation");
      return;
    }
    if (auto *pw = as<P::PowerExprContext>(e)) {
      auto *l = pw->singleExpression(0);
      if (as<P::UnaryExprContext>(l) || as<P::AwaitExprContext>(l))
        fail(pw->Power()->getSymbol(), "unary operator used immediately before exponentiation expression");
      return;
    }
    if (auto *co = as<P::CoalesceExprContext>(e)) {
      for (auto *x : co->singleExpression())
        if (as<P::LogicalAndExprContext>(x) || as<P::LogicalOrExprContext>(x))
          fail(co->NullCoalesce()->getSymbol(), "cannot mix ?? with && or || without parentheses");
      return;
    }
    if (auto *lo = as<P::LogicalOrExprContext>(e)) {
      for (auto *x : lo->singleExpression())
        if (as<P::CoalesceExprContext>(x)) fail(lo->Or()->getSymbol(), "cannot mix ?? with && or || without parentheses");
      return;
    }
    if (auto *la = as<P::LogicalAndExprContext>(e)) {
      for (auto *x : la->singleExpression())
        if (as<P::CoalesceExprContext>(x)) fail(la->And()->getSymbol(), "cannot mix ?? with && or || without parentheses");
      return;
    }
    if (auto *u = as<P::UnaryExprContext>(e)) {
      if (strict() && u->op->getType() == L::Delete) {
        auto *operand = u->singleExpression();
        while (true) {
          auto *p = primary_of(operand);
          if (as<P::IdentifierExprContext>(p)) {
            fail(u, "delete of an unqualified identifier in strict mode");
            break;
          }
          auto *inner = paren_single(p);
          if (inner == nullptr || plain(inner) == nullptr) break;
          operand = plain(inner);
        }
      }
      return;
    }
    if (auto *pi = as<P::PrivateInExprContext>(e)) {
      auto *rel = as<P::RelationalExprContext>(pi->parent);
      if (rel == nullptr || rel->singleExpression(0) != pi || rel->relationalOperator()->In() == nullptr)
        fail(pi, "unexpected private name");
      return;
    }
  }

  void call_expression(P::CallExpressionContext *c) {
    if (auto *oe = as<P::OptionalExprContext>(c)) {
      if (oe->optionalTail()->taggedTemplate() != nullptr) fail(oe->optionalTail(), "invalid tagged template on optional chain");
      if (as<P::NewExprContext>(oe->callExpression())) fail(oe, "invalid optional chain from new expression");
      return;
    }
    if (auto *te = as<P::TaggedTemplateExprContext>(c)) {
      if (in_optional_chain(te->callExpression())) fail(te->taggedTemplate(), "invalid tagged template on optional chain");
      return;
    }
    if (auto *ne = as<P::NewExprContext>(c)) {
      auto *operand = ne->callExpression();
      if (as<P::SuperCallExprContext>(operand) || as<P::ImportCallExprContext>(operand))
        fail(operand, "unexpected token after new");
      return;
    }
    if (auto *nt = as<P::NewTargetExprContext>(c)) {
      Token *name = nt->identifierName()->getStart();
      if (name->getText() != "target") fail(name, "unexpected token");
      else if (!fn().new_target_ok) fail(nt, "new.target expression is not allowed here");
      return;
    }
    if (auto *im = as<P::ImportMetaExprContext>(c)) {
      Token *name = im->identifierName()->getStart();
      if (name->getText() != "meta") fail(name, "unexpected token");
      else if (goal_ == JsConfirmOptions::Goal::Script) fail(im, "cannot use 'import.meta' outside a module");
      return;
    }
  }
};

// ---------------------------------------------------------------- analysis

void eos_flags(P::EosContext *e, JsVerdict &v) {
  if (e != nullptr && e->SemiColon() != nullptr)
    v.ended_by_semicolon = true;
  else
    v.ended_by_asi = true;
}

void statement_end(P::StatementContext *s, JsVerdict &v);

void sub_statement_end(P::SubStatementContext *s, JsVerdict &v) {
  if (s->statement() != nullptr)
    statement_end(s->statement(), v);
  else
    v.ended_by_block = true;
}

void statement_end(P::StatementContext *s, JsVerdict &v) {
  if (s->block() != nullptr || s->switchStatement() != nullptr) {
    v.ended_by_block = true;
  } else if (auto *vs = s->variableStatement()) {
    eos_flags(vs->eos(), v);
  } else if (s->emptyStatement() != nullptr) {
    v.ended_by_semicolon = true;
  } else if (auto *is = s->ifStatement()) {
    auto subs = is->subStatement();
    if (is->Else() != nullptr && subs.size() == 2) {
      sub_statement_end(subs[1], v);
    } else {
      v.is_if_without_else = true;
      sub_statement_end(subs[0], v);
    }
  } else if (auto *it = s->iterationStatement()) {
    if (auto *ds = as<P::DoStatementContext>(it)) {
      if (ds->SemiColon() != nullptr)
        v.ended_by_semicolon = true;
      else
        v.ended_by_asi = true;
    } else if (auto *ws = as<P::WhileStatementContext>(it)) {
      statement_end(ws->statement(), v);
    } else if (auto *fs = as<P::ForStatementContext>(it)) {
      statement_end(fs->statement(), v);
    }
  } else if (auto *cs = s->continueStatement()) {
    eos_flags(cs->eos(), v);
  } else if (auto *bs = s->breakStatement()) {
    eos_flags(bs->eos(), v);
  } else if (auto *rs = s->returnStatement()) {
    eos_flags(rs->eos(), v);
  } else if (auto *wi = s->withStatement()) {
    statement_end(wi->statement(), v);
  } else if (auto *ts = s->throwStatement()) {
    eos_flags(ts->eos(), v);
  } else if (auto *tr = s->tryStatement()) {
    v.ended_by_block = true;
    if (tr->finallyClause() == nullptr) v.is_try = true;
  } else if (auto *db = s->debuggerStatement()) {
    eos_flags(db->eos(), v);
  } else if (auto *ls = s->labelledStatement()) {
    if (ls->labelledItem()->statement() != nullptr)
      statement_end(ls->labelledItem()->statement(), v);
    else
      v.ended_by_block = true;
  } else if (auto *es = s->expressionStatement()) {
    eos_flags(es->eos(), v);
    auto list = es->expression()->assignmentExpression();
    if (es->eos()->SemiColon() == nullptr && list.size() == 1) {
      auto *p = primary_of(plain(list[0]));
      auto *id = as<P::IdentifierExprContext>(p);
      if (id != nullptr && id->getStart()->getType() == L::Let) v.last_is_bare_let = true;
    }
  }
}

void module_item_end(P::ModuleItemContext *mi, JsVerdict &v) {
  if (auto *im = mi->importDeclaration()) {
    eos_flags(im->eos(), v);
    return;
  }
  if (auto *ex = mi->exportDeclaration()) {
    if (auto *a = as<P::ExportAllContext>(ex)) eos_flags(a->eos(), v);
    else if (auto *n = as<P::ExportNamedContext>(ex)) {
      eos_flags(n->eos(), v);
      if (n->fromClause() == nullptr && n->eos()->SemiColon() == nullptr) v.last_is_export_list = true;
    }
    else if (auto *var = as<P::ExportVariableContext>(ex)) eos_flags(var->variableStatement()->eos(), v);
    else if (auto *d = as<P::ExportDeclContext>(ex)) {
      if (d->declaration()->lexicalDeclaration() != nullptr)
        eos_flags(d->declaration()->lexicalDeclaration()->eos(), v);
      else
        v.ended_by_block = true;
    } else if (as<P::ExportDefaultDeclContext>(ex)) {
      v.ended_by_block = true;
    } else if (auto *de = as<P::ExportDefaultExprContext>(ex)) {
      eos_flags(de->eos(), v);
    }
    return;
  }
  auto *sli = mi->statementListItem();
  if (auto *d = sli->declaration()) {
    if (d->lexicalDeclaration() != nullptr)
      eos_flags(d->lexicalDeclaration()->eos(), v);
    else
      v.ended_by_block = true;
    return;
  }
  statement_end(sli->statement(), v);
}

// Defines / uses / kind.
class Analyzer {
 public:
  std::vector<std::string> defines, uses;

  void run(P::ProgramContext *prog, JsVerdict &v) {
    // Names declared at top level (excluded from uses).
    for (auto *mi : prog->moduleItem()) top_declarations(mi);
    for (auto *mi : prog->moduleItem()) walk(mi);
    std::vector<UnitKind> kinds;
    for (auto *mi : prog->moduleItem()) kinds.push_back(item_kind(mi));
    if (kinds.empty()) {
      v.kind = UnitKind::Other;
    } else {
      v.kind = kinds[0];
      for (UnitKind k : kinds)
        if (k != v.kind) v.kind = UnitKind::Other;
    }
    v.defines = defines;
    v.uses = uses;
  }

 private:
  std::vector<std::unordered_set<std::string>> scopes_;
  int fn_depth_ = 0;  // function scopes among scopes_
  std::unordered_set<std::string> declared_, defined_set_, used_set_;

  void define(const std::string &n) {
    if (defined_set_.insert(n).second) defines.push_back(n);
  }
  void use(const std::string &n) {
    if (used_set_.insert(n).second) uses.push_back(n);
  }
  bool bound_locally(const std::string &n) const {
    for (auto &s : scopes_)
      if (s.count(n)) return true;
    return false;
  }
  bool free_name(const std::string &n) const { return !bound_locally(n) && declared_.count(n) == 0; }

  void declare_top(Token *t) {
    std::string n = identifier_text(t);
    declared_.insert(n);
    define(n);
  }

  // var declarations anywhere outside functions, other declarations at top level.
  void top_declarations(P::ModuleItemContext *mi) {
    if (auto *im = mi->importDeclaration()) {
      if (auto *ic = im->importClause()) {
        if (ic->bindingIdentifier() != nullptr) declare_top(ic->bindingIdentifier()->getStart());
        if (ic->namespaceImport() != nullptr) declare_top(ic->namespaceImport()->bindingIdentifier()->getStart());
        if (ic->namedImports() != nullptr)
          for (auto *sp : ic->namedImports()->importSpecifier()) declare_top(sp->bindingIdentifier()->getStart());
      }
      return;
    }
    ParseTree *root = mi;
    if (auto *ex = mi->exportDeclaration()) root = ex;
    collect_top(root, true);
  }

  void collect_top(ParseTree *t, bool top_level) {
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (ctx == nullptr) return;
    switch (ctx->getRuleIndex()) {
      case P::RuleFunctionDeclaration: {
        auto *fd = static_cast<P::FunctionDeclarationContext *>(ctx);
        if (top_level && fd->bindingIdentifier() != nullptr) declare_top(fd->bindingIdentifier()->getStart());
        return;
      }
      case P::RuleClassDeclaration: {
        auto *cd = static_cast<P::ClassDeclarationContext *>(ctx);
        if (top_level && cd->bindingIdentifier() != nullptr) declare_top(cd->bindingIdentifier()->getStart());
        return;
      }
      case P::RuleFunctionExpression:
      case P::RuleArrowFunction:
      case P::RuleClassExpression:
      case P::RuleMethodDefinition:
        return;
      case P::RuleVariableStatement: {
        std::vector<Token *> names;
        for (auto *d : static_cast<P::VariableStatementContext *>(ctx)->variableDeclarationList()->variableDeclaration())
          binding_names(d->bindingTarget(), names);
        for (auto *n : names) declare_top(n);
        break;
      }
      case P::RuleForFirst: {
        auto *ff = static_cast<P::ForFirstContext *>(ctx);
        if (ff->Var() != nullptr) {
          std::vector<Token *> names;
          for (auto *d : ff->variableDeclarationList()->variableDeclaration()) binding_names(d->bindingTarget(), names);
          for (auto *n : names) declare_top(n);
        }
        break;
      }
      case P::RuleLexicalDeclaration: {
        if (top_level) {
          std::vector<Token *> names;
          for (auto *d : static_cast<P::LexicalDeclarationContext *>(ctx)->variableDeclarationList()->variableDeclaration())
            binding_names(d->bindingTarget(), names);
          for (auto *n : names) declare_top(n);
        }
        break;
      }
      case P::RuleBlock:
      case P::RuleIfStatement:
      case P::RuleIterationStatement:
      case P::RuleSwitchStatement:
      case P::RuleTryStatement:
      case P::RuleLabelledStatement:
      case P::RuleWithStatement:
        for (auto *ch : ctx->children) collect_top(ch, false);
        return;
      default:
        break;
    }
    for (auto *ch : ctx->children) collect_top(ch, top_level);
  }

  // Names declared inside a function (params + body, not nested functions).
  void collect_local(ParseTree *t, std::unordered_set<std::string> &out, bool root) {
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (ctx == nullptr) return;
    std::size_t r = ctx->getRuleIndex();
    if (!root && (r == P::RuleFunctionExpression || r == P::RuleArrowFunction || r == P::RuleMethodDefinition ||
                  r == P::RuleClassExpression))
      return;
    if (!root && r == P::RuleFunctionDeclaration) {
      auto *fd = static_cast<P::FunctionDeclarationContext *>(ctx);
      if (fd->bindingIdentifier() != nullptr) out.insert(identifier_text(fd->bindingIdentifier()->getStart()));
      return;
    }
    if (r == P::RuleClassDeclaration) {
      auto *cd = static_cast<P::ClassDeclarationContext *>(ctx);
      if (cd->bindingIdentifier() != nullptr) out.insert(identifier_text(cd->bindingIdentifier()->getStart()));
      return;
    }
    if (r == P::RuleBindingIdentifier) out.insert(identifier_text(ctx->getStart()));
    for (auto *ch : ctx->children) collect_local(ch, out, false);
  }

  // Block-scoped names at the top level: for-heads, catch parameters, lexical
  // declarations directly in a block.
  void enter_block_scope(ParserRuleContext *ctx) {
    std::unordered_set<std::string> s;
    std::vector<Token *> names;
    if (auto *fs = as<P::ForStatementContext>(ctx)) {
      if (fs->forFirst() != nullptr && fs->forFirst()->variableDeclarationList() != nullptr)
        for (auto *d : fs->forFirst()->variableDeclarationList()->variableDeclaration()) binding_names(d->bindingTarget(), names);
    } else if (auto *cc = as<P::CatchClauseContext>(ctx)) {
      if (cc->bindingTarget() != nullptr) binding_names(cc->bindingTarget(), names);
    } else if (auto *b = as<P::BlockContext>(ctx)) {
      for (auto *it : b->statementListItem()) {
        auto *d = it->declaration();
        if (d == nullptr) continue;
        if (d->lexicalDeclaration() != nullptr)
          for (auto *vd : d->lexicalDeclaration()->variableDeclarationList()->variableDeclaration())
            binding_names(vd->bindingTarget(), names);
        if (d->classDeclaration() != nullptr && d->classDeclaration()->bindingIdentifier() != nullptr)
          names.push_back(d->classDeclaration()->bindingIdentifier()->getStart());
        if (d->functionDeclaration() != nullptr && d->functionDeclaration()->bindingIdentifier() != nullptr)
          names.push_back(d->functionDeclaration()->bindingIdentifier()->getStart());
      }
    }
    for (auto *n : names) s.insert(identifier_text(n));
    scopes_.push_back(std::move(s));
  }

  void enter_scope(ParserRuleContext *fn, P::BindingIdentifierContext *own_name) {
    std::unordered_set<std::string> s;
    if (own_name != nullptr) s.insert(identifier_text(own_name->getStart()));
    collect_local(fn, s, true);
    s.insert("arguments");
    scopes_.push_back(std::move(s));
    ++fn_depth_;
  }
  void exit_scope() {
    scopes_.pop_back();
    --fn_depth_;
  }

  // Destructuring assignment `[a, {b}] = …`: the identifiers are written
  // (defined at top level); defaults and computed keys are read.
  void pattern_target(P::AssignmentExpressionContext *el) {
    if (el == nullptr) return;
    if (el->assignmentOperator() != nullptr) walk(el->assignmentExpression());
    auto *p = primary_of(el->singleExpression());
    if (auto *id = as<P::IdentifierExprContext>(p)) {
      std::string n = identifier_text(id->getStart());
      if (fn_depth_ == 0 && !bound_locally(n)) define(n);
    } else if (as<P::ArrayExprContext>(p) || as<P::ObjectExprContext>(p)) {
      pattern_targets(p);
    } else {
      walk(el->singleExpression());
    }
  }
  void pattern_targets(P::PrimaryExpressionContext *p) {
    if (auto *ae = as<P::ArrayExprContext>(p)) {
      for (auto *el : ae->arrayLiteral()->arrayElement()) pattern_target(el->assignmentExpression());
    } else if (auto *oe = as<P::ObjectExprContext>(p)) {
      for (auto *pd : oe->objectLiteral()->propertyDefinition()) {
        if (auto *kv = as<P::PropKeyValueContext>(pd)) {
          walk(kv->propertyName());
          pattern_target(kv->assignmentExpression());
        } else if (as<P::PropShorthandContext>(pd) || as<P::PropCoverInitContext>(pd)) {
          std::string n = identifier_text(pd->getStart());
          if (fn_depth_ == 0 && !bound_locally(n)) define(n);
          if (auto *ci = as<P::PropCoverInitContext>(pd)) walk(ci->assignmentExpression());
        } else if (auto *sp = as<P::PropSpreadContext>(pd)) {
          pattern_target(sp->assignmentExpression());
        }
      }
    }
  }

  // "a.b.c" for a member chain rooted at a free identifier, else "".
  std::string dotted(P::CallExpressionContext *c) {
    if (auto *d = as<P::DotExprContext>(c)) {
      if (d->identifierName() == nullptr) return "";
      std::string base = dotted(d->callExpression());
      if (base.empty()) return "";
      return base + "." + d->identifierName()->getText();
    }
    if (auto *pe = as<P::PrimaryExprContext>(c)) {
      if (auto *id = as<P::IdentifierExprContext>(pe->primaryExpression())) {
        std::string n = identifier_text(id->getStart());
        return bound_locally(n) ? "" : n;
      }
    }
    return "";
  }

  static std::string string_value(Token *t) {
    std::string s = t->getText();
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : s;
  }

  static Token *first_string_arg(P::ArgumentsContext *args) {
    auto list = args->argument();
    if (list.empty() || list[0]->Ellipsis() != nullptr) return nullptr;
    auto *lit = as<P::LiteralExprContext>(primary_of(plain(list[0]->assignmentExpression())));
    if (lit == nullptr || lit->literal()->StringLiteral() == nullptr) return nullptr;
    return lit->literal()->StringLiteral()->getSymbol();
  }

  void walk(ParseTree *t) {
    check_stack();
    auto *ctx = dynamic_cast<ParserRuleContext *>(t);
    if (ctx == nullptr) return;
    switch (ctx->getRuleIndex()) {
      case P::RuleFunctionDeclaration:
        enter_scope(ctx, nullptr);
        for (auto *ch : ctx->children) walk(ch);
        exit_scope();
        return;
      case P::RuleFunctionExpression:
        enter_scope(ctx, static_cast<P::FunctionExpressionContext *>(ctx)->bindingIdentifier());
        for (auto *ch : ctx->children) walk(ch);
        exit_scope();
        return;
      case P::RuleArrowFunction:
      case P::RuleMethodDefinition:
        enter_scope(ctx, nullptr);
        for (auto *ch : ctx->children) walk(ch);
        exit_scope();
        return;
      case P::RuleIterationStatement:
      case P::RuleCatchClause:
      case P::RuleBlock:
        if (fn_depth_ == 0) {  // inside functions the function scope covers them
          enter_block_scope(ctx);
          for (auto *ch : ctx->children) walk(ch);
          scopes_.pop_back();
          return;
        }
        break;
      case P::RuleImportDeclaration: {
        auto *im = static_cast<P::ImportDeclarationContext *>(ctx);
        Token *mod = im->fromClause() != nullptr ? im->fromClause()->StringLiteral()->getSymbol()
                                                 : (im->StringLiteral() != nullptr ? im->StringLiteral()->getSymbol() : nullptr);
        if (mod != nullptr) use("import:" + string_value(mod));
        return;
      }
      case P::RuleAssignmentExpression: {
        auto *a = static_cast<P::AssignmentExpressionContext *>(ctx);
        if (a->assignmentOperator() != nullptr && a->assignmentOperator()->Assign() != nullptr) {
          auto *lhs = primary_of(a->singleExpression());
          if (as<P::ArrayExprContext>(lhs) || as<P::ObjectExprContext>(lhs)) {
            pattern_targets(lhs);
            walk(a->assignmentExpression());
            return;
          }
          // plain assignment to a bare identifier writes it
          auto *id = as<P::IdentifierExprContext>(primary_of(a->singleExpression()));
          if (id != nullptr) {
            std::string n = identifier_text(id->getStart());
            if (fn_depth_ == 0 && !bound_locally(n)) define(n);
            walk(a->assignmentExpression());
            return;
          }
        }
        break;
      }
      case P::RulePrimaryExpression:
        if (auto *id = as<P::IdentifierExprContext>(ctx)) {
          std::string n = identifier_text(id->getStart());
          if (free_name(n)) use(n);
          return;
        }
        break;
      case P::RulePropertyDefinition:
        if (auto *sh = as<P::PropShorthandContext>(ctx)) {
          std::string n = identifier_text(sh->getStart());
          if (free_name(n)) use(n);
          return;
        }
        break;
      case P::RuleCallExpression:
        if (auto *ce = as<P::CallExprContext>(ctx)) {
          auto *callee = ce->callExpression();
          std::string d = dotted(callee);
          if (!d.empty()) {
            if (d.find('.') != std::string::npos) use(d);
            if (d == "require") {
              if (Token *s = first_string_arg(ce->arguments())) use("require:" + string_value(s));
            }
          }
        } else if (auto *ic = as<P::ImportCallExprContext>(ctx)) {
          auto *lit = as<P::LiteralExprContext>(primary_of(plain(ic->assignmentExpression(0))));
          if (lit != nullptr && lit->literal()->StringLiteral() != nullptr)
            use("import:" + string_value(lit->literal()->StringLiteral()->getSymbol()));
        }
        break;
      default:
        break;
    }
    for (auto *ch : ctx->children) walk(ch);
  }

  // Whether an initializer is require(...) / require(...).x / await import(...).
  static bool is_require_init(P::AssignmentExpressionContext *a) {
    auto *e = plain(a);
    if (e == nullptr) return false;
    if (auto *aw = as<P::AwaitExprContext>(e)) e = aw->singleExpression();
    auto *c = call_of(e);
    while (c != nullptr) {
      if (auto *d = as<P::DotExprContext>(c)) {
        c = d->callExpression();
        continue;
      }
      if (auto *ix = as<P::IndexExprContext>(c)) {
        c = ix->callExpression();
        continue;
      }
      break;
    }
    if (c == nullptr) return false;
    if (as<P::ImportCallExprContext>(c)) return true;
    auto *ce = as<P::CallExprContext>(c);
    if (ce == nullptr) return false;
    auto *pe = as<P::PrimaryExprContext>(ce->callExpression());
    if (pe == nullptr) return false;
    auto *id = as<P::IdentifierExprContext>(pe->primaryExpression());
    return id != nullptr && id->getText() == "require";
  }

  static UnitKind declarations_kind(P::VariableDeclarationListContext *list) {
    bool all_require = true;
    for (auto *d : list->variableDeclaration())
      if (d->assignmentExpression() == nullptr || !is_require_init(d->assignmentExpression())) all_require = false;
    return all_require ? UnitKind::Import : UnitKind::Assign;
  }

  static UnitKind item_kind(P::ModuleItemContext *mi) {
    if (mi->importDeclaration() != nullptr) return UnitKind::Import;
    if (auto *ex = mi->exportDeclaration()) {
      if (auto *d = as<P::ExportDeclContext>(ex)) return declaration_kind(d->declaration());
      if (auto *var = as<P::ExportVariableContext>(ex)) return declarations_kind(var->variableStatement()->variableDeclarationList());
      if (auto *dd = as<P::ExportDefaultDeclContext>(ex)) return dd->functionDeclaration() != nullptr ? UnitKind::Function : UnitKind::Class;
      return UnitKind::Other;
    }
    auto *sli = mi->statementListItem();
    if (sli->declaration() != nullptr) return declaration_kind(sli->declaration());
    auto *s = sli->statement();
    if (s->variableStatement() != nullptr) return declarations_kind(s->variableStatement()->variableDeclarationList());
    if (auto *es = s->expressionStatement()) {
      auto list = es->expression()->assignmentExpression();
      bool assign = !list.empty();
      bool require = !list.empty();
      for (auto *a : list) {
        if (a->assignmentOperator() == nullptr) {
          assign = false;
          require = false;
        } else if (a->assignmentOperator()->Assign() == nullptr || !is_require_init(a->assignmentExpression())) {
          require = false;
        }
      }
      if (require) return UnitKind::Import;
      return assign ? UnitKind::Assign : UnitKind::Expr;
    }
    if (s->ifStatement() != nullptr || s->iterationStatement() != nullptr || s->switchStatement() != nullptr ||
        s->tryStatement() != nullptr || s->withStatement() != nullptr || s->labelledStatement() != nullptr ||
        s->throwStatement() != nullptr || s->returnStatement() != nullptr || s->breakStatement() != nullptr ||
        s->continueStatement() != nullptr)
      return UnitKind::Control;
    return UnitKind::Other;
  }

  static UnitKind declaration_kind(P::DeclarationContext *d) {
    if (d->functionDeclaration() != nullptr) return UnitKind::Function;
    if (d->classDeclaration() != nullptr) return UnitKind::Class;
    return declarations_kind(d->lexicalDeclaration()->variableDeclarationList());
  }
};

// ------------------------------------------------------------ the pre-pass

// Deeper nesting is refused (the recursive-descent parser would need more
// than a few MB of stack).
constexpr std::size_t kMaxNesting = 2000;

struct PrePass {
  Problem too_deep;
  std::vector<std::uint8_t> flags;
  Problem lexical;          // first lexical problem (definite error)
  std::size_t unterminated_token = std::string::npos;  // token index of an unterminated literal at EOF
};

bool is_open(std::size_t t) {
  return t == L::OpenParen || t == L::OpenBracket || t == L::OpenBrace || t == L::ObjLBrace ||
         t == L::TemplateSubstStart;
}
bool is_close(std::size_t t) {
  return t == L::CloseParen || t == L::CloseBracket || t == L::CloseBrace || t == L::TemplateSubstEnd;
}
bool matches(std::size_t open, std::size_t close) {
  return (open == L::OpenParen && close == L::CloseParen) || (open == L::OpenBracket && close == L::CloseBracket) ||
         ((open == L::OpenBrace || open == L::ObjLBrace) && close == L::CloseBrace) ||
         (open == L::TemplateSubstStart && close == L::TemplateSubstEnd);
}

bool identifier_like(std::size_t type) {
  return type == L::Identifier || (type >= L::Let && type <= L::Public);
}

PrePass pre_pass(const std::vector<Token *> &all, const std::u32string &cps) {
  using Base = sxg::JavaScriptParserBase;
  PrePass pp;
  pp.flags.assign(all.size(), 0);
  std::vector<std::size_t> sig;  // default-channel token indices, EOF included
  bool nl = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    Token *t = all[i];
    std::size_t type = t->getType();
    if (t->getChannel() != Token::DEFAULT_CHANNEL) {
      if (type == L::LineTerminator) nl = true;
      if (type == L::MultiLineComment) {
        for (std::size_t k = t->getStartIndex(); k <= t->getStopIndex() && k < cps.size(); ++k) {
          char32_t c = cps[k];
          if (c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) nl = true;
        }
      }
      continue;
    }
    if (nl) pp.flags[i] |= Base::kNewlineBefore;
    nl = false;
    sig.push_back(i);
    if (type == Token::EOF) continue;
    switch (type) {
      case L::UnexpectedCharacter: {
        std::string txt = t->getText();
        note(pp.lexical, t->getStartIndex(), "invalid or unexpected token '" + txt + "'", false, i);
        break;
      }
      case L::UnterminatedString:
        if (t->getStopIndex() + 1 >= cps.size())
          pp.unterminated_token = std::min(pp.unterminated_token, i);
        else
          note(pp.lexical, t->getStartIndex(), "unterminated string literal", false, i);
        break;
      case L::UnterminatedComment:
      case L::UnterminatedRegex:
      case L::TemplateBackslash:
        pp.unterminated_token = std::min(pp.unterminated_token, i);
        break;
      case L::NumericLiteral:
      case L::BigIntLiteral: {
        if (i + 1 < all.size()) {
          Token *nx = all[i + 1];
          if (nx->getStartIndex() == t->getStopIndex() + 1 && is_word_token(nx->getType()))
            note(pp.lexical, nx->getStartIndex(), "identifier starts immediately after numeric literal", false, i + 1);
        }
        break;
      }
      case L::StringLiteral: {
        std::string s = t->getText();
        std::size_t bad = bad_escape(s, false);
        if (bad != std::string::npos) note(pp.lexical, t->getStartIndex(), "invalid escape sequence", false, i);
        break;
      }
      case L::Identifier:
      case L::PrivateName: {
        std::string s = t->getText();
        if (s.find('\\') != std::string::npos) {
          std::string out;
          std::string body = type == L::PrivateName ? s.substr(1) : s;
          if (!decode_identifier(body, out)) note(pp.lexical, t->getStartIndex(), "invalid Unicode escape sequence", false, i);
        }
        break;
      }
      case L::RegularExpressionLiteral: {
        std::u32string txt(cps.begin() + static_cast<long>(t->getStartIndex()),
                           cps.begin() + static_cast<long>(t->getStopIndex()) + 1);
        std::string e = check_regex_literal(txt);
        if (!e.empty()) note(pp.lexical, t->getStartIndex(), e, false, i);
        break;
      }
      default:
        break;
    }
  }

  // Arrow heads: `(` … `)` `=>` and `async` before them; control heads.
  std::vector<std::size_t> stack;  // positions in sig
  std::vector<std::uint8_t> ctl_close(sig.size(), 0);  // `)` closing if/while/for/with (
  auto nl_before = [&](std::size_t k) { return (pp.flags[sig[k]] & Base::kNewlineBefore) != 0; };
  auto type_at = [&](std::size_t k) -> std::size_t { return all[sig[k]]->getType(); };
  auto retype = [&](std::size_t k, std::size_t type) {
    if (auto *w = dynamic_cast<antlr4::WritableToken *>(all[sig[k]])) w->setType(type);
  };
  std::vector<std::uint8_t> open_ctl;  // parallel to stack
  // Innermost bracket of each token: class body, object literal or other.
  constexpr std::uint8_t kOther = 0, kClassBody = 1, kObject = 2;
  std::vector<std::uint8_t> inner(sig.size(), kOther);
  std::vector<std::uint8_t> open_kind;      // parallel to stack
  std::vector<std::size_t> class_pending;   // depths where a class body `{` is expected
  for (std::size_t k = 0; k < sig.size(); ++k) {
    std::size_t type = type_at(k);
    inner[k] = open_kind.empty() ? kOther : open_kind.back();
    if (type == L::Class || type == L::ClassExprKw) class_pending.push_back(stack.size());
    if (is_open(type)) {
      if (stack.size() >= kMaxNesting && !pp.too_deep.set)
        note(pp.too_deep, all[sig[k]]->getStartIndex(), "brackets nested too deeply", false, sig[k]);
      std::uint8_t kind = type == L::ObjLBrace ? kObject : kOther;
      if (type == L::OpenBrace && !class_pending.empty() && class_pending.back() == stack.size()) {
        kind = kClassBody;
        class_pending.pop_back();
      }
      open_kind.push_back(kind);
      bool ctl = false;
      if (type == L::OpenParen && k > 0) {
        std::size_t p = type_at(k - 1);
        ctl = p == L::If || p == L::While || p == L::For || p == L::With ||
              (p == L::Await && k > 1 && type_at(k - 2) == L::For);
      }
      stack.push_back(k);
      open_ctl.push_back(ctl ? 1 : 0);
      continue;
    }
    if (is_close(type)) {
      if (!stack.empty() && matches(type_at(stack.back()), type)) {
        std::size_t open = stack.back();
        bool ctl = open_ctl.back() != 0;
        stack.pop_back();
        open_ctl.pop_back();
        open_kind.pop_back();
        while (!class_pending.empty() && class_pending.back() > stack.size()) class_pending.pop_back();
        if (ctl) ctl_close[k] = 1;
        if (type == L::CloseParen && k + 1 < sig.size() && type_at(k + 1) == L::ARROW && !nl_before(k + 1)) {
          retype(open, L::ArrowLParen);
          if (open > 0 && type_at(open - 1) == L::Async && !nl_before(open)) retype(open - 1, L::AsyncArrow);
        }
      }
      continue;
    }
    // `async x =>`; also `async x` at the end of the text (only an arrow can follow)
    if (identifier_like(type) && k > 0 && type_at(k - 1) == L::Async && !nl_before(k) && k + 1 < sig.size()) {
      bool arrow = type_at(k + 1) == L::ARROW && !nl_before(k + 1);
      // at the end of the text, unless it is an `async` method being written
      bool member = inner[k - 1] == kClassBody ||
                    (inner[k - 1] == kObject && k > 1 && (type_at(k - 2) == L::ObjLBrace || type_at(k - 2) == L::Comma));
      if (arrow || (type_at(k + 1) == Token::EOF && !member)) retype(k - 1, L::AsyncArrow);
    }
  }

  // Contextual keywords (see the `tokens` section of JavaScriptLexer.g4).
  auto after_dot = [&](std::size_t k) {
    return k > 0 && (type_at(k - 1) == L::Dot || type_at(k - 1) == L::QuestionDot);
  };
  auto next_same_line = [&](std::size_t k) -> std::size_t {
    return k + 1 < sig.size() && !nl_before(k + 1) ? type_at(k + 1) : Token::INVALID_TYPE;
  };
  auto name_start = [&](std::size_t t) {
    if (t == L::In || t == L::Instanceof || t == L::Of) return false;
    return is_word_token(t) || t == L::StringLiteral || t == L::OpenBracket || t == L::PrivateName ||
           t == L::FunctionExprKw || t == L::ClassExprKw;
  };
  // Tokens after which `await` / `yield` cannot be an identifier (on the same line).
  auto operand_only = [&](std::size_t t) {
    if (t == L::In || t == L::Instanceof || t == L::Of || t == L::As || t == L::From) return false;
    if (is_word_token(t)) return true;
    switch (t) {
      case L::StringLiteral: case L::RegularExpressionLiteral: case L::ArrowLParen: case L::AsyncArrow:
      case L::ObjLBrace: case L::Not: case L::BitNot: case L::PrivateName: case L::FunctionExprKw:
      case L::ClassExprKw:
        return true;
      default:
        return false;
    }
  };
  auto ends_expression = [&](std::size_t k, bool update_ends) {
    std::size_t t = type_at(k);
    if (after_dot(k) && is_word_token(t)) return true;
    if (update_ends && (t == L::PlusPlus || t == L::MinusMinus || t == L::ContPlusPlus || t == L::ContMinusMinus))
      return true;
    switch (t) {
      case L::Identifier: case L::NumericLiteral: case L::BigIntLiteral: case L::StringLiteral:
      case L::RegularExpressionLiteral: case L::BackTickEnd: case L::NullLiteral: case L::TrueLiteral:
      case L::FalseLiteral: case L::This: case L::Super: case L::CloseBracket: case L::PrivateName:
      case L::Let: case L::Static: case L::Async: case L::Get: case L::Set: case L::From: case L::As:
      case L::Implements: case L::Interface: case L::Package: case L::Private: case L::Protected: case L::Public:
        return true;
      case L::CloseParen:
        return ctl_close[k] == 0;
      default:
        return false;
    }
  };
  // Where a declaration may start.
  auto statement_start = [&](std::size_t k) {
    if (k == 0) return true;
    if (nl_before(k) && ends_expression(k - 1, true)) return true;  // after ASI
    // `return`, `break`, `continue`, `yield` and `debugger` before a line
    // break are whole statements (restricted productions: ASI after them).
    if (nl_before(k)) {
      std::size_t p = type_at(k - 1);
      if (p == L::Return || p == L::Break || p == L::Continue || p == L::Yield || p == L::Debugger) return true;
    }
    std::size_t p = type_at(k - 1);
    switch (p) {
      case L::SemiColon: case L::OpenBrace: case L::CloseBrace: case L::Colon: case L::Else: case L::Do:
      case L::Export:
        return true;
      case L::CloseParen:
        return ctl_close[k - 1] != 0;
      case L::OpenParen:  // for (let …
        return k > 1 && (type_at(k - 2) == L::For || (type_at(k - 2) == L::Await && k > 2 && type_at(k - 3) == L::For));
      default:
        return false;
    }
  };
  // Where a class member / object property may start (for get/set/static/async).
  auto member_start = [&](std::size_t k) {
    if (k == 0 || inner[k] == kOther) return false;
    std::size_t p = type_at(k - 1);
    if (inner[k] == kObject) return p == L::ObjLBrace || p == L::Comma;
    return p == L::OpenBrace || p == L::SemiColon || p == L::CloseBrace || p == L::StaticMod || nl_before(k);
  };
  for (std::size_t k = 0; k < sig.size(); ++k) {
    std::size_t type = type_at(k);
    if (after_dot(k)) continue;
    std::size_t next = next_same_line(k);
    if ((type == L::Get || type == L::Set || type == L::Static || type == L::Async) && !member_start(k) &&
        !(type == L::Async && (next == L::Function_ || next == L::FunctionExprKw)))
      continue;
    switch (type) {
      case L::Let: {
        std::size_t n = k + 1 < sig.size() ? type_at(k + 1) : Token::INVALID_TYPE;
        if (((identifier_like(n) || n == L::OpenBracket || n == L::OpenBrace || n == L::ObjLBrace) && statement_start(k)) ||
            (k > 0 && type_at(k - 1) == L::Export))
          retype(k, L::LetDecl);
        break;
      }
      case L::Async:
        if (next == L::Function_ || next == L::FunctionExprKw)
          retype(k, L::AsyncFn);
        else if (name_start(next) || next == L::Multiply)
          retype(k, L::AsyncMod);
        break;
      case L::Get:
        if (name_start(next)) retype(k, L::GetMod);
        break;
      case L::Set:
        if (name_start(next)) retype(k, L::SetMod);
        break;
      case L::Static:
        if (name_start(next) || next == L::Multiply) retype(k, L::StaticMod);
        break;
      case L::Await:
        if (operand_only(next)) retype(k, L::AwaitKw);
        break;
      case L::Yield:
        if (operand_only(next)) retype(k, L::YieldKw);
        break;
      case L::Return:
        if (next != Token::INVALID_TYPE && next != L::SemiColon && next != L::CloseBrace && next != Token::EOF)
          retype(k, L::ReturnArg);
        break;
      default:
        break;
    }
  }

  // `(` `[` `` ` `` `+` `-` `++` `--` on the same line right after a token that
  // ends an expression can only continue that expression.
  for (std::size_t k = 1; k < sig.size(); ++k) {
    std::size_t type = type_at(k);
    std::size_t cont = 0;
    switch (type) {
      case L::OpenParen: cont = L::ContParen; break;
      case L::OpenBracket: cont = L::ContBracket; break;
      case L::BackTick: cont = L::ContBackTick; break;
      case L::Plus: cont = L::ContPlus; break;
      case L::Minus: cont = L::ContMinus; break;
      case L::PlusPlus: cont = L::ContPlusPlus; break;
      case L::MinusMinus: cont = L::ContMinusMinus; break;
      default: break;
    }
    if (cont != 0 && !nl_before(k) && ends_expression(k - 1, false)) retype(k, cont);
  }

  // `in` in the head of a for statement (before the first `;` at depth 0).
  for (std::size_t k = 0; k < sig.size(); ++k) {
    if (type_at(k) != L::For) continue;
    std::size_t j = k + 1;
    if (j < sig.size() && type_at(j) == L::Await) ++j;
    if (j >= sig.size() || type_at(j) != L::OpenParen) continue;
    int depth = 0;
    for (++j; j < sig.size(); ++j) {
      std::size_t type = type_at(j);
      if (is_open(type) || type == L::ArrowLParen || type == L::ContParen || type == L::ContBracket ||
          type == L::ObjLBrace) {
        ++depth;
      } else if (is_close(type)) {
        if (--depth < 0) break;
      } else if (depth == 0 && type == L::SemiColon) {
        break;
      } else if (depth == 0 && type == L::In) {
        pp.flags[sig[j]] |= Base::kNoIn;
      }
    }
  }
  return pp;
}

std::string token_display(Token *t) {
  if (t->getType() == Token::EOF) return "end of input";
  std::string s = t->getText();
  if (s.size() > 40) s = s.substr(0, 40) + "…";
  return "'" + s + "'";
}

}  // namespace

JsVerdict confirm_javascript(std::string_view text) { return confirm_javascript(text, JsConfirmOptions{}); }

namespace {
JsVerdict confirm_unguarded(std::string_view text, const JsConfirmOptions &options);
}  // namespace

JsVerdict confirm_javascript(std::string_view text, const JsConfirmOptions &options) {
  std::uintptr_t outer = tl_stack_base;
  if (outer == 0) {
    tl_stack_base = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    tl_stack_budget = sx::stack_budget(tl_stack_base, kStackBudget);
  }
  try {
    JsVerdict v = confirm_unguarded(text, options);
    tl_stack_base = outer;
    return v;
  } catch (const TooDeep &) {
    tl_stack_base = outer;
    JsVerdict v;
    v.status = JsVerdict::Status::Error;
    v.offset = 0;
    line_col(text, 0, v.line, v.col);
    v.message = "code nested too deeply";
    return v;
  }
}

namespace {
JsVerdict confirm_unguarded(std::string_view text, const JsConfirmOptions &options) {
  JsVerdict v;
  Decoded dec = decode_utf8(text);

  auto set_pos = [&](std::size_t byte_off) {
    v.offset = byte_off;
    line_col(text, byte_off, v.line, v.col);
  };
  auto error_at_cp = [&](std::size_t cp, std::string msg) {
    v.status = JsVerdict::Status::Error;
    set_pos(dec.byte_of[std::min(cp, dec.cps.size())]);
    v.message = std::move(msg);
    return v;
  };
  auto incomplete = [&](std::string msg) {
    v.status = JsVerdict::Status::Incomplete;
    set_pos(text.size());
    v.message = std::move(msg);
    return v;
  };

  std::size_t bad_cp = std::string::npos;
  if (dec.bad_byte != std::string::npos) {
    bad_cp = static_cast<std::size_t>(std::lower_bound(dec.byte_of.begin(), dec.byte_of.end(), dec.bad_byte) -
                                      dec.byte_of.begin());
  }

  CodePointStream input(dec.cps);
  L lexer(&input);
  lexer.removeErrorListeners();
  lexer.module_goal = options.goal == JsConfirmOptions::Goal::Module;
  TrackingTokenStream tokens(&lexer);
  tokens.fill();
  std::vector<Token *> all = tokens.getTokens();
  PrePass pp = pre_pass(all, dec.cps);

  if (bad_cp != std::string::npos) {
    bool at_end = dec.truncated_at_end && dec.bad_byte + 4 > text.size();
    if (!at_end) note(pp.lexical, bad_cp, "invalid UTF-8 in source text");
  }

  if (pp.too_deep.set) return error_at_cp(pp.too_deep.cp, pp.too_deep.message);

  // Parse: SLL first, full LL to locate the error precisely.
  auto goal = options.goal == JsConfirmOptions::Goal::Script   ? sxg::JavaScriptParserBase::Goal::Script
              : options.goal == JsConfirmOptions::Goal::Module ? sxg::JavaScriptParserBase::Goal::Module
                                                               : sxg::JavaScriptParserBase::Goal::Repl;
  std::unique_ptr<P> parser;
  P::ProgramContext *tree = nullptr;
  Token *offending = nullptr;
  for (int stage = 0; stage < 2; ++stage) {
    tokens.seek(0);
    parser = std::make_unique<GuardedParser>(&tokens);
    parser->removeErrorListeners();
    parser->goal = goal;
    parser->token_flags = &pp.flags;
    auto strategy = std::make_shared<FirstErrorStrategy>();
    parser->setErrorHandler(strategy);
    {
      auto *old = parser->getInterpreter<antlr4::atn::ParserATNSimulator>();
      auto *sim = new FurthestErrorSimulator(parser.get(), parser->getATN(), old->decisionToDFA,
                                             old->getSharedContextCache());
      parser->setInterpreter(sim);  // deletes `old`; the parser deletes `sim`
    }
    parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        stage == 0 ? antlr4::atn::PredictionMode::SLL : antlr4::atn::PredictionMode::LL);
    try {
      tree = parser->program();
      offending = nullptr;
      break;
    } catch (antlr4::ParseCancellationException &) {
      tree = nullptr;
      offending = strategy->offending != nullptr ? strategy->offending : tokens.LT(1);
    } catch (std::exception &) {
      tree = nullptr;
      offending = strategy->offending != nullptr ? strategy->offending : tokens.LT(1);
    }
  }

  if (offending != nullptr) {
    std::size_t ocp = offending->getType() == Token::EOF ? dec.cps.size() : offending->getStartIndex();
    if (pp.lexical.set && pp.lexical.cp <= ocp) return error_at_cp(pp.lexical.cp, pp.lexical.message);
    if (offending->getType() == Token::EOF) {
      if (lexer.incomplete_at_eof) return incomplete("unterminated template literal");
      return incomplete("unexpected end of input");
    }
    if (pp.unterminated_token != std::string::npos && offending->getTokenIndex() >= pp.unterminated_token) {
      std::size_t ut = all[pp.unterminated_token]->getType();
      return incomplete(ut == L::UnterminatedString    ? "unterminated string literal"
                        : ut == L::UnterminatedComment ? "unterminated comment"
                                                       : "unterminated regular expression literal");
    }
    return error_at_cp(ocp, "unexpected token " + token_display(offending));
  }
  if (pp.lexical.set) return error_at_cp(pp.lexical.cp, pp.lexical.message);
  if (pp.unterminated_token != std::string::npos) return incomplete("unexpected end of input");

  Checker checker(options.goal);
  checker.run(tree);

  auto items = tree->moduleItem();
  v.statements = items.size();
  if (!items.empty()) module_item_end(items.back(), v);

  if (checker.problem.set) {
    // A cover-grammar error in the last statement, which ended at EOF by
    // ASI, may still be fixed by what follows (`= value`, `=> body`).
    if (checker.problem.cover && v.ended_by_asi && !items.empty() &&
        checker.problem.token_index >= items.back()->getStart()->getTokenIndex()) {
      JsVerdict w;
      w.status = JsVerdict::Status::Incomplete;
      w.offset = text.size();
      line_col(text, text.size(), w.line, w.col);
      w.message = "unexpected end of input";
      return w;
    }
    return error_at_cp(checker.problem.cp, checker.problem.message);
  }

  v.status = JsVerdict::Status::Complete;
  if (options.analyze) {
    Analyzer an;
    an.run(tree, v);
  }
  return v;
}
}  // namespace

}  // namespace sx
