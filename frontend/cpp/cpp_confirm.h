// C++ confirmer: runs the structural ANTLR grammar (grammars/CppLexer.g4,
// grammars/CppParser.g4) over the text of the open unit only (docs/DESIGN.md §3).
//
//   Complete    the text is a whole sequence of top-level items;
//   Incomplete  the first syntax error is at the end of the text (EOF), or the
//               text ends inside a comment / string / raw string / char literal;
//   Error       a syntax error before the end of the text (position + message).
//
// Structural means: bodies, initialisers and expressions are balanced token
// groups; only errors that the structure proves (an unmatched ')' or '}', an
// 'else' without 'if', a missing ';' before 'if' ...) are reported. clang
// reports everything else when the unit runs.
#ifndef STREAMEXEC_FRONTEND_CPP_CPP_CONFIRM_H
#define STREAMEXEC_FRONTEND_CPP_CPP_CONFIRM_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace sx {

struct CppVerdict {
  enum class Status { Complete, Incomplete, Error };
  Status status = Status::Incomplete;

  // Error: position of the offending token in `text` (line 1-based, col
  // 0-based, both in bytes). Incomplete: `message` says why (may be empty).
  std::uint32_t line = 1;
  std::uint32_t col = 0;
  std::uint64_t offset = 0;
  std::string message;

  // Complete only.
  bool wants_else = false;   // the last item ends with an `if` without `else`
  bool wants_catch = false;  // the last item ends with a try/catch (another catch may follow)
  std::size_t items = 0;     // number of top-level items
  UnitKind kind = UnitKind::Other;
  std::vector<std::string> defines;  // top-level names declared
  std::vector<std::string> uses;     // identifiers and qualified call targets (std::remove)
};

// `begins_line`: whether text[0] is the first character of a line in the
// program (a '#' is a directive only at the start of a line).
CppVerdict confirm_cpp(std::string_view text, bool begins_line = true);

}  // namespace sx

#endif
