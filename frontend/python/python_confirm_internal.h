// What the stages of the Python confirm share (python_confirm.cpp: tokens
// and parse; python_confirm_shapes.cpp: expression shapes;
// python_confirm_literals.cpp: string literals; python_confirm_analyze.cpp:
// CPython's compile-time checks, kind, defines, uses). Internal to
// frontend/python.
#ifndef STREAMEXEC_FRONTEND_PYTHON_CONFIRM_INTERNAL_H
#define STREAMEXEC_FRONTEND_PYTHON_CONFIRM_INTERNAL_H

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "PythonParser.h"
#include "antlr4-runtime.h"
#include "ir/ir.h"

namespace sx::pyconfirm {

using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::tree::ParseTree;
using antlr4::tree::TerminalNode;
using P = sxg::PythonParser;

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

// Bounds the parser's and the analyzer's recursion, i.e. their stack use
// (nesting that is not brackets: `- - - … 1`, `not not …`); measured on the
// stack itself. 200 nested brackets (CPython's maximum) use well under it.
constexpr std::uintptr_t kStackBudget = 3u << 20;  // bytes

// --- shapes (python_confirm_shapes.cpp) ---------------------------------------

// The shape of an expression subtree, for target checks (like CPython's
// expression kinds).
enum class Shape {
  Name, Attribute, Subscript, Call, Tuple, List, Starred, Literal, True_, False_, None_, Ellipsis,
  Compare, Operator, IfExp, Lambda, Await, Yield, NamedExpr, GenExp, ListComp, SetComp, DictComp,
  Dict, Set, FString, Other
};

const char *shape_name(Shape s);

struct Node {
  Shape shape = Shape::Other;
  ParseTree *tree = nullptr;         // the subtree (for positions)
  std::vector<ParseTree *> elts;     // Tuple / List elements
  ParseTree *inner = nullptr;        // Starred operand
  Token *name = nullptr;             // Name token
};

// The shape of an expression subtree (through parentheses and single-element
// wrappers), with a tuple's or list's elements.
Node classify(ParseTree *t);

// --- string literals (python_confirm_literals.cpp) ----------------------------

struct StringInfo {
  bool bytes = false, fstring = false, raw = false, non_ascii = false;
  std::size_t body = 0;  // index of the opening quote
};

// The prefix of a string token (b, f, r, u in any case) and where its body is.
StringInfo string_info(const std::string &tok);
// What CPython says of an f-string's replacement fields, "" if fine.
std::string bad_fstring(const std::string &tok, const StringInfo &si);
// What CPython says of a string's escape sequences, "" if fine.
std::string bad_escape(const std::string &tok, const StringInfo &si);

// --- analysis (python_confirm_analyze.cpp) -------------------------------------

// What the analysis of a parsed unit found.
struct Analysis {
  std::size_t error_index = npos;  // code point index of the first error found
  std::string error_message;
  UnitKind kind = UnitKind::Other;
  std::vector<std::string> defines, uses;
  bool has_future = false;
  std::size_t future_index = 0;
  bool leading_docstring = false;
  bool future_window = true;
};

// CPython's compile-time checks that the grammar leaves out, the unit's kind,
// defined and used names, of a unit that parsed.
Analysis analyze(P::File_inputContext *file);

}  // namespace sx::pyconfirm

#endif
