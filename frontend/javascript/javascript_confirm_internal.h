// What the stages of the JavaScript confirm share: javascript_confirm.cpp
// (decode, lex, parse, the verdict), javascript_confirm_prepass.cpp (token
// pre-pass), javascript_confirm_lexical.cpp (identifiers, escapes, numbers,
// regular expressions), javascript_confirm_tree.cpp (parse-tree helpers),
// javascript_confirm_early_errors.cpp (static semantics and early errors),
// javascript_confirm_analysis.cpp (how the unit ended, kind, defines, uses).
// Internal to frontend/javascript.
#ifndef STREAMEXEC_FRONTEND_JAVASCRIPT_CONFIRM_INTERNAL_H
#define STREAMEXEC_FRONTEND_JAVASCRIPT_CONFIRM_INTERNAL_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "JavaScriptLexer.h"
#include "JavaScriptParser.h"
#include "antlr4-runtime.h"
#include "frontend/javascript/javascript_confirm.h"

namespace sx::jsconfirm {

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
inline thread_local std::uintptr_t tl_stack_base = 0, tl_stack_budget = kStackBudget;
struct TooDeep {};
inline void check_stack() {
  auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (tl_stack_base > here && tl_stack_base - here > tl_stack_budget) throw TooDeep{};
}

// ANTLR input stream over already decoded code points.
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(std::u32string data) {
    _data = std::move(data);
    p = 0;
  }
};


// --- problems ----------------------------------------------------------------

struct Problem {
  bool set = false;
  std::size_t cp = 0;       // code point index
  std::string message;
  bool cover = false;       // might be fixed by a continuation (`=` / `=>`)
  std::size_t token_index = 0;
};

inline void note(Problem &p, std::size_t cp, std::string msg, bool cover = false, std::size_t token_index = 0) {
  if (p.set && p.cp <= cp) return;
  p.set = true;
  p.cp = cp;
  p.message = std::move(msg);
  p.cover = cover;
  p.token_index = token_index;
}

// --- identifiers and literals (javascript_confirm_lexical.cpp) ----------------

// An IdentifierName with its \u escapes decoded; false if an escape is bad
// or decodes to a character an identifier cannot have.
bool decode_identifier(const std::string &raw, std::string &out);
// A name token's text, escapes decoded.
std::string identifier_text(Token *t);
bool is_reserved_word(const std::string &s);
bool is_strict_reserved(const std::string &s);
// Tokens that are IdentifierNames (keywords included).
bool is_word_token(std::size_t type);
// The index of the first invalid escape of a string or template literal's
// text, npos if none (template_rules: the rules of template literals).
std::size_t bad_escape(const std::string &s, bool template_rules);
bool has_octal_escape(const std::string &s);
bool is_legacy_octal_number(const std::string &s);
// What is wrong with a regular expression literal (pattern and flags), "" if
// nothing.
std::string check_regex_literal(const std::u32string &text);

// --- parse-tree helpers (javascript_confirm_tree.cpp) ----------------------------

template <class T>
T *as(ParseTree *t) {
  return dynamic_cast<T *>(t);
}
P::PrimaryExpressionContext *primary_of(P::SingleExpressionContext *e);
P::CallExpressionContext *call_of(P::SingleExpressionContext *e);
P::SingleExpressionContext *plain(P::AssignmentExpressionContext *a);
P::AssignmentExpressionContext *paren_single(P::PrimaryExpressionContext *p);
bool in_optional_chain(P::CallExpressionContext *c);
bool is_simple_params(P::FormalParameterListContext *fp);
void binding_names(P::BindingTargetContext *t, std::vector<Token *> &out);
void param_names(P::FormalParameterListContext *fp, std::vector<Token *> &out);
bool directive_prologue_strict(const std::vector<P::StatementListItemContext *> &items);

// --- the stages ------------------------------------------------------------------

struct PrePass {
  Problem too_deep;
  std::vector<std::uint8_t> flags;
  Problem lexical;          // first lexical problem (definite error)
  std::size_t unterminated_token = std::string::npos;  // token index of an unterminated literal at EOF
};

// The token pre-pass (javascript_confirm_prepass.cpp).
PrePass pre_pass(const std::vector<Token *> &all, const std::u32string &cps);

// Static semantics and early errors of a unit that parsed
// (javascript_confirm_early_errors.cpp): the first problem, if any.
Problem check_early_errors(P::ProgramContext *prog, JsConfirmOptions::Goal goal);

// How the unit's last item ended (ASI, a block, …) into v
// (javascript_confirm_analysis.cpp).
void module_item_end(P::ModuleItemContext *mi, JsVerdict &v);
// The unit's kind, defines and uses into v.
void analyze(P::ProgramContext *prog, JsVerdict &v);

}  // namespace sx::jsconfirm

#endif
