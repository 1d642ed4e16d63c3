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
// This file does 1 and 3 and gives the verdict; 2 is
// javascript_confirm_prepass.cpp (with javascript_confirm_lexical.cpp for
// the token checks), 4 javascript_confirm_early_errors.cpp, 5
// javascript_confirm_analysis.cpp; javascript_confirm_tree.cpp has the
// parse-tree helpers 4 and 5 share.
#include "frontend/javascript/javascript_confirm.h"
#include "frontend/javascript/javascript_confirm_internal.h"
#include "frontend/dfa_caches.h"
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

using namespace jsconfirm;

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
  // Caches of this parse's own (frontend/dfa_caches.h): declared before the
  // recognizers, which use them until they are destroyed.
  DfaCaches::Lease lexer_dfa, parser_dfa;
  L lexer(&input);
  lexer_dfa = dfa_caches<L>().lend_lexer(lexer);
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
    parser_dfa = dfa_caches<P>().lend<FurthestErrorSimulator>(*parser);
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

  Problem early = check_early_errors(tree, options.goal);

  auto items = tree->moduleItem();
  v.statements = items.size();
  if (!items.empty()) module_item_end(items.back(), v);

  if (early.set) {
    // A cover-grammar error in the last statement, which ended at EOF by
    // ASI, may still be fixed by what follows (`= value`, `=> body`).
    if (early.cover && v.ended_by_asi && !items.empty() &&
        early.token_index >= items.back()->getStart()->getTokenIndex()) {
      JsVerdict w;
      w.status = JsVerdict::Status::Incomplete;
      w.offset = text.size();
      line_col(text, text.size(), w.line, w.col);
      w.message = "unexpected end of input";
      return w;
    }
    return error_at_cp(early.cp, early.message);
  }

  v.status = JsVerdict::Status::Complete;
  if (options.analyze) {
    analyze(tree, v);
  }
  return v;
}
}  // namespace

}  // namespace sx