// JavaScript confirm, lexical checks: identifiers (escapes, reserved words),
// string/template escapes, legacy octal numbers, and regular-expression
// literals (pattern syntax and flags, as V8 rejects them at parse time).
// Works on single tokens' text; assumes the lexer produced them.
#include "frontend/javascript/javascript_confirm_internal.h"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace sx::jsconfirm {

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


}  // namespace sx::jsconfirm
