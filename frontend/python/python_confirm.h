// Confirmation step of the Python chunker (docs/DESIGN.md §3 "Scan, then confirm"):
// runs the ANTLR Python 3.11 lexer + parser over the text of the open unit
// and says whether it is a complete sequence of statements.
#ifndef STREAMEXEC_FRONTEND_PYTHON_PYTHON_CONFIRM_H
#define STREAMEXEC_FRONTEND_PYTHON_PYTHON_CONFIRM_H

#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace sx {

struct ParseVerdict {
  enum class Status {
    Complete,    // one or more complete statements
    Incomplete,  // a proper prefix of something that may still be valid: keep reading
    Error,       // a syntax error that no continuation can repair
  };
  Status status = Status::Error;
  // Error: position of the first error. Incomplete: the end of the text.
  // Positions are relative to the text (offset 0, line 1, col 0 = first byte).
  Pos at;
  std::string message;  // CPython-like ("invalid syntax", "unexpected indent", …)

  // Complete only:
  UnitKind kind = UnitKind::Other;     // of the first statement
  std::vector<std::string> defines;    // names bound at module level
  std::vector<std::string> uses;       // names read, and dotted call targets ("os.remove")

  // `from __future__ import` must open the program (after at most a
  // docstring); the chunker enforces that across units with these facts.
  bool has_future = false;             // a top-level `from __future__ import`
  Pos future_at;                       // position of the first one
  bool leading_docstring = false;      // the first statement is a string literal
  bool future_window = false;          // every statement is a future import or the leading docstring
};

// `text` is the open unit only. Thread-safe. With `analyze` false, a
// Complete verdict skips the tree walk (kind, names and the compile-time
// checks CPython makes after parsing, e.g. "cannot assign to literal"): for
// callers that only look for syntax errors early.
ParseVerdict confirm_python(std::string_view text, bool analyze = true);

}  // namespace sx

#endif
