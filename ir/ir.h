// streamexec IR: the values that flow from the frontend through the scheduler
// to the backends and back out as events (docs/DESIGN.md §4).
//
// This layer depends on nothing but the standard library (and nlohmann-json in
// ir/json.cpp for serialisation); every other layer may include it.
#ifndef STREAMEXEC_IR_IR_H
#define STREAMEXEC_IR_IR_H

#include <cstdint>
#include <string>
#include <vector>

namespace sx {

enum class Lang { Python, JavaScript, Cpp, Unknown };

const char *lang_name(Lang l);
// Accepts canonical names and markdown info-string aliases ("py", "js", "c++" …),
// case-insensitively. Returns Lang::Unknown for anything else.
Lang lang_from_name(const std::string &name);

enum class UnitKind { Import, Include, Function, Class, Assign, Expr, Control, Decl, Other };
const char *unit_kind_name(UnitKind k);

// A position in a text: byte offset, 1-based line, 0-based byte column.
struct Pos {
  std::uint64_t offset = 0;
  std::uint32_t line = 1;
  std::uint32_t col = 0;
};

// A closed, executable unit: one or more complete top-level statements.
struct Unit {
  std::int64_t id = -1;      // assigned by the session, dense from 0
  Lang lang = Lang::Unknown;
  std::string code;          // exact bytes of the unit (ends with its newline if any)
  std::string lead;          // the program's text between its previous unit and this one
                             // (comments, blank lines): lead + code of all units in
                             // order is the program's text so far
  Pos begin;                 // position of the first byte in the answer
  std::uint64_t end = 0;     // answer byte offset one past the last byte
  int fence = -1;            // index of the markdown fence, -1 in raw mode
  UnitKind kind = UnitKind::Other;
  std::vector<std::string> defines;  // top-level names bound by the unit
  std::vector<std::string> uses;     // names read (free names, dotted calls like os.remove)
  double t_first_byte_ms = 0;        // when the unit's first byte was fed
  double t_closed_ms = 0;            // when the unit was proven closed
};

// A syntax error in the answer, reported as soon as it is certain.
struct SyntaxError {
  Lang lang = Lang::Unknown;
  Pos at;               // position in the answer
  std::string message;  // e.g. "invalid syntax: unexpected ')'"
  std::string code;     // the text of the open unit that failed
  Pos unit_begin;       // where that text starts in the answer
  int fence = -1;
};

enum class Status {
  Ok, Error, SyntaxError, Timeout, Crashed, Skipped, Gated, Limit,
  Cut,         // the answer was cut while this unit was being written: not run, not an error
  Interrupted  // stopped on request (sx_interrupt)
};
const char *status_name(Status s);

struct ErrorInfo {
  std::string type;       // exception / diagnostic class, e.g. "ZeroDivisionError"
  std::string message;
  int line = 0;           // 1-based line in the answer, 0 if unknown
  std::string traceback;  // formatted, with answer line numbers
};

struct Result {
  std::int64_t unit_id = -1;
  Status status = Status::Ok;
  std::string stdout_text;  // whole captured stdout of the unit
  std::string stderr_text;
  bool has_value = false;
  std::string value_repr;   // repr()/inspect of a trailing expression
  std::vector<std::pair<std::string, std::string>> value_mime;  // its rich forms (text/html, image/png)
  bool has_error = false;
  ErrorInfo error;
  std::string note;         // e.g. "worker restarted; python state was lost"
  // The program's exit status, where the unit ended its program (sys.exit,
  // process.exit, C++ main's return or exit()) or for a program_done event.
  bool has_exit_code = false;
  int exit_code = 0;
  int signal = 0;           // the program's process died of this signal (C++), 0 if not
  double t_dispatched_ms = 0, t_started_ms = 0, t_finished_ms = 0;
  double exec_ms = 0;       // time the worker spent executing the unit
  double end_ms = 0;        // of which at the program's end (C++: the unit defines main, which runs then)
};

// The sandbox one worker ran in (backends/common/sandbox/sandbox.h), as its
// ready frame reported it.
struct SandboxReport {
  Lang lang = Lang::Unknown;
  std::vector<std::string> active;   // protections in place ("user_ns", "seccomp", …)
  std::vector<std::string> missing;  // protections asked for but not in place
  std::vector<std::string> notes;    // why (the kernel's refusals)
  std::string host_uid;              // the uid the units have on the host
};

struct Report {
  double t_gen_ms = 0;            // first byte fed .. end of stream
  double t_exec_ms = 0;           // sum of per-unit execution times
  double e2e_ms = 0;              // first byte fed .. last unit done
  double serial_e2e_ms = 0;       // t_gen + t_exec (what generate-then-execute costs)
  double non_overlapped_ms = 0;   // end of stream .. last unit done
  double limit_ms = 0;            // docs/DESIGN.md §1 physical limit
  std::uint64_t units = 0, errors = 0, skipped = 0, cut = 0;
  std::uint64_t programs = 0, programs_failed = 0;  // program_done events, and those not ok
  std::vector<SandboxReport> sandbox;  // one per language whose worker started (SessionDone)
  bool was_cut = false;                // AnswerDone: the answer ended with sx_answer_cut
};

enum class EventKind {
  UnitClosed,
  UnitStarted,
  Output,
  UnitDone,
  StopAdvised,
  SyntaxErr,
  FenceSkipped,
  WorkerRestarted,
  SessionDone,
  UnitHeld,       // the gate holds a unit until the end of the answer
  ProgramDone,    // a program (a fenced block; raw mode: the stream) ended, with its status
  AnswerDone,     // an answer ended (answer_end / answer_cut): its own report; the session goes on
  Display,        // rich output of a unit (a plot shown): a MIME bundle
  ModelRequest,   // a request to the model went out (sx_chat): its round
  ModelStreamEnd  // the model's stream of a round ended: why, and how many deltas
};

// The model's side of a round (ModelRequest, ModelStreamEnd): docs/DESIGN.md §9.
struct ModelInfo {
  int round = 0;                         // 0: the first answer, 1, 2 …: repairs
  std::uint64_t request_bytes = 0;       // ModelRequest: the JSON body's size
  std::string reason;                    // ModelStreamEnd: done | stopped | error | length
  std::uint64_t tokens = 0;              // content deltas fed (≈ tokens)
  std::uint64_t cut_tokens = 0;          // deltas received after the stop, not fed
  std::string error;                     // reason error: what went wrong
  std::string finish_reason;             // as the server sent it
  double t_first_ms = -1, t_end_ms = 0;  // since the request (first delta, end)
};

// A MIME bundle, as Jupyter's display data: (type, data) pairs; binary types
// (image/png) base64-encoded, text types as text.
using MimeBundle = std::vector<std::pair<std::string, std::string>>;
const char *event_kind_name(EventKind k);

struct Event {
  EventKind kind = EventKind::UnitClosed;
  double t_ms = 0;
  int answer = 0;            // index of the answer (0, 1, …) the event belongs to
  std::int64_t unit_id = -1;
  Lang lang = Lang::Unknown;
  // Payload: which fields are set depends on kind.
  Unit unit;                 // UnitClosed; FenceSkipped and ProgramDone: unit.fence
  Result result;             // UnitDone, ProgramDone (status, exit_code, signal, error, note)
  std::string stream;        // Output: "stdout" | "stderr"
  std::string text;          // Output text; StopAdvised/FenceSkipped/WorkerRestarted reason
  SyntaxError syntax;        // SyntaxErr (and StopAdvised after one)
  Report report;             // SessionDone (whole session), AnswerDone (that answer)
  MimeBundle mime;           // Display
  ModelInfo model;           // ModelRequest, ModelStreamEnd
};

// One JSON object (no trailing newline) in the schema documented in README.md.
std::string event_to_json(const Event &e);

}  // namespace sx

#endif
