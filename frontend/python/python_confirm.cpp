// Python confirm, tokens and parse (docs/DESIGN.md §3): is the open unit's
// text a complete sequence of statements, incomplete (more text may complete
// it), or a syntax error, and where and why. Lexes and parses the unit only
// (never the whole answer); a unit that parses is then analysed
// (python_confirm_analyze.cpp).
#include "frontend/python/python_confirm.h"
#include "frontend/python/python_confirm_internal.h"
#include "frontend/dfa_caches.h"
#include "frontend/stack_budget.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
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

using namespace pyconfirm;
using sxg::PythonLexer;
using sxg::PythonParser;

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

// Bounds the parser's recursion, i.e. its stack use (kStackBudget): nesting
// that is not brackets (`- - - … 1`, `not not …`, long `**` or lambda
// chains) would otherwise recurse without limit.
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

}  // namespace

ParseVerdict confirm_python(std::string_view text, bool analyze) {
  ParseVerdict v;
  Source src(text);

  U32Stream input(src.code_points());
  // Caches of this parse's own (frontend/dfa_caches.h): declared before the
  // recognizers, which use them until they are destroyed.
  DfaCaches::Lease lexer_dfa, parser_dfa;
  PythonLexer lexer(&input);
  lexer_dfa = dfa_caches<PythonLexer>().lend_lexer(lexer);
  lexer.removeErrorListeners();
  LexerErrors lexer_errors;
  lexer.addErrorListener(&lexer_errors);
  TrackingTokenStream tokens(&lexer);
  GuardedParser parser(&tokens);
  parser_dfa = dfa_caches<PythonParser>().lend(parser);
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
  Analysis an = pyconfirm::analyze(tree);
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
