// Internal to backends/common: how worker_main hands the process tree's
// descriptors to the supervisor and the interpreter.
#ifndef STREAMEXEC_BACKENDS_WORKER_INTERNAL_H
#define STREAMEXEC_BACKENDS_WORKER_INTERNAL_H

#include <cstddef>
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "backends/common/worker_runtime.h"

namespace sx::detail {

// The interpreter's end of the private channel, on a fixed descriptor.
inline constexpr int kChannelFd = 3;

struct SupervisorSetup {
  pid_t interpreter = -1;  // the first interpreter process
  int channel = -1;        // supervisor's end of the channel
  int capture[2] = {-1, -1};  // read ends of the interpreter's stdout/stderr pipes
  bool pid_namespace = false;  // the supervisor is PID 1 of its own namespace
  int status_fd = -1;          // to the relay: the interpreter's wait status (namespace only)
  std::size_t value_cap = 0;   // a unit's value is cut at this many bytes (proto::kMaxValue)
};

// The supervisor's loop (supervisor.cpp). Never returns.
[[noreturn]] void run_supervisor(const SupervisorSetup &s);

// The interpreter's loop (interpreter.cpp), in the process whose fds are 0
// (/dev/null), 1/2 (capture pipes) and kChannelFd. `capture_read` are
// duplicates of the pipes' read ends, only for FIONREAD (quiescing). Never
// returns.
// `sandbox` is the sandbox's report (sandbox.h), sent with "ready"; values
// are cut at value_cap bytes.
[[noreturn]] void run_interpreter(WorkerBackend &backend, const int capture_read[2], const nlohmann::json &sandbox,
                                  std::size_t value_cap);

// Ends this process the way `wstatus` says another one ended (same exit
// code, or the same signal).
[[noreturn]] void exit_like(int wstatus);

}  // namespace sx::detail

#endif
