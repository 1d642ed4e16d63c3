// The worker side of every backend: one process tree per language per session.
//
// worker_main() sets up the tree (worker_runtime.cpp), runs the supervisor
// (supervisor.cpp: protocol to the host, output capture) and the interpreter
// loop (interpreter.cpp); a language only implements WorkerBackend. Output is
// captured at the fd level (the interpreter's fds 1 and 2 are pipes the
// supervisor reads), so output of C code, JIT-compiled code and child
// processes is captured too, and a unit cannot write frames to the host.
//
// Programs (docs/DESIGN.md §6a): a fenced block is one program; its units
// arrive in order, then an end-of-program request runs what a native run does
// after the last statement (C++: main; JavaScript: the event loop; Python:
// atexit handlers).
#ifndef STREAMEXEC_BACKENDS_WORKER_RUNTIME_H
#define STREAMEXEC_BACKENDS_WORKER_RUNTIME_H

#include <cstdint>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace sx {

struct ExecRequest {
  std::int64_t id = -1;
  std::string code;
  int line = 1;  // answer line of the unit's first byte
  int col = 0;
  int program = 0;  // the fence (-1 in raw mode)
};

struct ExecOutcome {
  Status status = Status::Ok;  // Ok, Error or SyntaxError
  bool has_value = false;
  std::string value;
  // The value's rich forms (text/html, image/png base64) and what the unit
  // displayed (plots shown): JSON text, an object of strings and an array of
  // such objects; empty if none.
  std::string value_mime, displays;
  bool has_error = false;
  ErrorInfo error;
  // The unit ended its program (sys.exit(), process.exit(), exit()): later
  // units of the program are not reached. exit_code 0 is a success.
  bool exited = false;
  int exit_code = 0;
  // C++: the unit defines `main`, which runs at the end of the program.
  bool defines_main = false;
  // JavaScript: the program's top level returned (a CommonJS module may):
  // its later units are not run; its end (the event loop) still is.
  bool returned = false;
};

struct ProgramEndRequest {
  int program = 0;
  std::int64_t unit_id = -1;  // the unit that output at the end is reported against
  bool failed = false;        // a unit of the program failed (a native run would have ended there)
};

struct ProgramOutcome {
  Status status = Status::Ok;   // Ok, Error (nonzero exit, uncaught error) or Timeout
  bool has_exit_code = true;
  int exit_code = 0;
  bool has_error = false;
  ErrorInfo error;
  std::string note;             // e.g. "2 handles still active; they run in the background"
  std::string displays;         // what the program's end displayed (figures left open), as ExecOutcome's
  std::int64_t unit_id = -1;    // the unit the outcome is about (C++: main's unit)
  // In a program child (fork_per_program): after reporting, drop the
  // program's state instead of committing it.
  bool discard = false;
};

class WorkerBackend {
 public:
  virtual ~WorkerBackend() = default;
  virtual const char *name() const = 0;
  // Called once in the interpreter process before "ready" is sent. false +
  // *err aborts the worker.
  virtual bool init(std::string *err) = 0;
  // Runs one unit in the session's persistent state.
  virtual ExecOutcome execute(const ExecRequest &req) = 0;
  // Flush the language's own buffered output (C stdio is flushed by the runtime).
  virtual void flush_output() {}
  // A new program begins with the next unit (after the previous one ended).
  virtual void begin_program(int /*program*/) {}
  // The program's last unit has run: what a native run does next. Output is
  // reported against req.unit_id unless the backend attributes it otherwise.
  virtual ProgramOutcome end_program(const ProgramEndRequest &req) {
    ProgramOutcome o;
    o.unit_id = req.unit_id;
    return o;
  }
  // Each program runs in a forked child of the interpreter (C++: a program
  // is compiled into the process; two complete programs with the same names
  // must not see each other). The child ends the program: with exit status
  // (complete program: exit_program_process), or by committing its state
  // (commit_program: the next program builds on it, as in a notebook).
  virtual bool fork_per_program() const { return false; }
  // In a program's process forked ahead (fork_per_program), while it waits
  // for the program's first unit: work that unit would do first, done now.
  // first: no program has run before in this worker (the ready worker's
  // first program: a pool may let it prepare more, ahead of its session).
  virtual void prepare_program(bool /*first*/) {}
  // Idle between requests: return when `fd` is readable (JavaScript turns
  // its event loop meanwhile, for handles left running by earlier programs).
  virtual void wait_readable(int fd);
  // The name under which a native run would find the program's text in its
  // cwd ("answer.py"; nullptr: none). When the cwd is the sandbox's private
  // scratch directory, the runtime writes the program's units there as they
  // run (interpreter.cpp, ProgramFile).
  virtual const char *program_file() const { return nullptr; }
  // Names a unit may use without defining them (JavaScript: the global
  // object's properties), sent to the host with "ready" (hoisting, §6a).
  virtual std::vector<std::string> global_names() { return {}; }
  // Descriptors the backend opened before the sandbox (its own read-only
  // files, which the sandbox may hide: a build or install under /tmp or the
  // home directory), kept open through the "fds" protection; numbers >= 100,
  // out of the way of the program's own.
  virtual std::vector<int> kept_fds() const { return {}; }
};

// Runs the worker (process tree, supervisor, interpreter loop) until
// shutdown or EOF. Returns the process exit code.
int worker_main(WorkerBackend &backend);

// --- for backends, in the interpreter process ----------------------------
// Waits until everything written to fds 1/2 so far has reached the
// supervisor (flushing stdio and the backend's buffers first).
void quiesce_output();
// Output from now on belongs to unit `id` (quiesces first).
void attribute_output(std::int64_t id);
// The unit output is currently reported against.
std::int64_t output_unit();
// In a program child (fork_per_program): make the program's state the
// interpreter's (the snapshot taken at the program's start is dropped).
void commit_program();
// In a program child: end the program process with `code` now (the parent
// reports it). Static destructors and atexit handlers are the caller's.
[[noreturn]] void exit_program_process(int code);
// In a program child: end the program's process without a report from the
// parent (the child reported, or the program left nothing to report).
[[noreturn]] void discard_program();
// True in a program child (fork_per_program).
bool in_program_child();

}  // namespace sx

#endif
