// ANTLR confirmation of a candidate JavaScript unit (docs/DESIGN.md §3).
//
// confirm_javascript() lexes and parses the text of ONE open unit (never the
// whole answer) and says whether it is a complete sequence of statements,
// an incomplete prefix of one (keep reading), or a syntax error (report it).
// For a complete text it also says how the last top-level statement ended,
// which the chunker needs to decide whether the next token can continue it,
// and it extracts the unit's kind and top-level defined / used names.
#ifndef STREAMEXEC_FRONTEND_JAVASCRIPT_CONFIRM_H
#define STREAMEXEC_FRONTEND_JAVASCRIPT_CONFIRM_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace sx {

struct JsVerdict {
  enum class Status { Complete, Incomplete, Error };
  Status status = Status::Incomplete;

  // Error: where (in the confirmed text) and why. For Incomplete: the end of
  // the text (or the start of the unterminated literal/comment) and a
  // message suitable for "unexpected end of input" reports.
  std::uint64_t offset = 0;  // byte offset, 0-based
  std::uint32_t line = 1;    // 1-based
  std::uint32_t col = 0;     // 0-based, in bytes
  std::string message;

  // Complete: how the LAST top-level statement ended. Several flags can be
  // set at once (`if (a) x = 1` is an if without else whose branch ended by
  // ASI).
  bool ended_by_semicolon = false;  // explicit `;`
  bool ended_by_asi = false;        // expression-like statement ending at EOF without `;`
  bool is_if_without_else = false;  // an `else` may still follow
  bool is_try = false;              // try/catch without finally: `finally` may follow
  bool ended_by_block = false;      // function/class declaration, block, `}`-ended compound
  // The last statement is the bare identifier `let` (an identifier, `[` or
  // `{` on the next line makes it a declaration).
  bool last_is_bare_let = false;
  // The last statement is `export { … }` without `from` / `;` (a `from`
  // clause on the next line continues it).
  bool last_is_export_list = false;
  std::size_t statements = 0;       // number of top-level statements

  UnitKind kind = UnitKind::Other;
  std::vector<std::string> defines;  // top-level names bound by the text
  std::vector<std::string> uses;     // free names read, dotted call targets, require:<module>

  bool complete() const { return status == Status::Complete; }
  bool incomplete() const { return status == Status::Incomplete; }
  bool error() const { return status == Status::Error; }
};

struct JsConfirmOptions {
  enum class Goal {
    Script,  // ECMAScript Script goal
    Module,  // Module goal (strict, import/export, top-level await)
    Repl,    // what the chunker uses: Script + import/export + top-level await
  };
  Goal goal = Goal::Repl;
  bool analyze = true;  // compute kind / defines / uses
};

JsVerdict confirm_javascript(std::string_view text);
JsVerdict confirm_javascript(std::string_view text, const JsConfirmOptions &options);

}  // namespace sx

#endif
