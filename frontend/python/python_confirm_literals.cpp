// Python confirm, string literals: their prefixes, and what CPython rejects
// when it decodes them at compile time (bad escapes, malformed f-string
// fields, non-ASCII bytes). Works on one token's text; assumes the lexer
// accepted it as a string.
#include <string>

#include "frontend/python/python_confirm_internal.h"

namespace sx::pyconfirm {
namespace {

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


}  // namespace

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

}  // namespace sx::pyconfirm
