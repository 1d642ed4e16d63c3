// The worker side of every backend: one process per language per session.
//
// worker_main() owns the protocol loop, output capture and batching; a
// language only implements WorkerBackend::execute(). Capture works at the fd
// level (fds 1 and 2 are pipes drained by a thread of the worker), so output
// of C code, JIT-compiled code and child processes is captured too.
#ifndef STREAMEXEC_BACKENDS_WORKER_RUNTIME_H
#define STREAMEXEC_BACKENDS_WORKER_RUNTIME_H

#include <cstdint>
#include <string>

#include "ir/ir.h"

namespace sx {

struct ExecRequest {
  std::int64_t id = -1;
  std::string code;
  int line = 1;  // answer line of the unit's first byte
  int col = 0;
};

struct ExecOutcome {
  Status status = Status::Ok;  // Ok, Error or SyntaxError
  bool has_value = false;
  std::string value;
  bool has_error = false;
  ErrorInfo error;
};

class WorkerBackend {
 public:
  virtual ~WorkerBackend() = default;
  virtual const char *name() const = 0;
  // Called once before "ready" is sent. false + *err aborts the worker.
  virtual bool init(std::string *err) = 0;
  // Runs one unit in the session's persistent state.
  virtual ExecOutcome execute(const ExecRequest &req) = 0;
  // Flush the language's own buffered output (C stdio is flushed by the runtime).
  virtual void flush_output() {}
};

// Runs the protocol loop until shutdown or EOF. Returns the process exit code.
int worker_main(WorkerBackend &backend);

}  // namespace sx

#endif
