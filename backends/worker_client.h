// Host side of a worker process: spawn, framed messages, signals, reaping.
#ifndef STREAMEXEC_BACKENDS_WORKER_CLIENT_H
#define STREAMEXEC_BACKENDS_WORKER_CLIENT_H

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/common/protocol.h"
#include "backends/common/sandbox/sandbox.h"

namespace sx {

struct WorkerLimits {
  std::uint64_t memory_bytes = 0;         // RLIMIT_AS, 0 = unlimited
  std::uint64_t max_open_files = 0;       // RLIMIT_NOFILE, 0 = inherit
  // Tasks (processes + threads) of the worker and its descendants: a pids
  // cgroup if one can be created, else RLIMIT_NPROC. 0 = unlimited.
  std::uint64_t max_processes = 0;
};

// The worker's sandbox as the host asks for it (backends/common/sandbox/
// sandbox.h applies it; README "Security").
struct WorkerSandbox {
  // The environment beyond the fixed allow-list (PATH, LANG, LANGUAGE,
  // LC_*, TZ; HOME and TMPDIR are the scratch directory): "NAME=VALUE" sets
  // NAME, "NAME" passes the host's NAME if it has one.
  std::vector<std::string> env;
  sandbox::Network network = sandbox::Network::None;  // None: own network namespace, loopback only
  std::vector<std::string> allow_write; // host directories the units may write (absolute)
  std::uint64_t scratch_bytes = 512ull << 20;  // the scratch tmpfs (cwd, HOME, /tmp)
  // Protections switched off, by name (sandbox.h kProtections): for the
  // red-team tests that show what each one stops. Never a default.
  std::set<std::string> off;
};

// Checks a sandbox request before any worker starts: allow_write
// directories must exist (they are made absolute and canonical here), env
// names must be names. false and *err (what and which) otherwise.
bool normalize_sandbox(WorkerSandbox *sb, std::string *err);

// The environment a worker starts with (allow-list + sb.env + the worker's
// own SX_WORKER_* settings are added by spawn).
std::vector<std::string> worker_environment(const WorkerSandbox &sb, char **host_env);

// For a thread that writes to workers' pipes: a worker that dies meanwhile
// must not kill the host, so SIGPIPE is blocked on the calling thread (the
// write fails with EPIPE) rather than ignored process-wide, which is the
// embedding program's choice. Workers are spawned with an empty mask and
// default SIGPIPE.
void block_sigpipe_on_this_thread();

class WorkerProcess {
 public:
  // Starts `exe` with the protocol pipes on fds 3/4. Does not wait for "ready".
  // warm: started ahead of its session (a pool's): the worker may prepare
  // more before "ready" (SX_WORKER_WARM=1; the C++ worker's spare
  // interpreter).
  static std::unique_ptr<WorkerProcess> spawn(const std::string &exe, const WorkerLimits &lim,
                                              const WorkerSandbox &sandbox, std::string *err, bool warm = false);
  ~WorkerProcess();  // kills and reaps the process if still running

  bool send(const nlohmann::json &msg);

  enum class Read { Frame, Timeout, Closed, Woken };
  // Waits up to timeout_ms (< 0: forever) for the next frame. A frame that
  // breaks the protocol (not JSON, too large, not of the schema:
  // proto::check_reply) kills the worker: Closed, and violation() says why.
  // wake_fd (an eventfd, or -1): Woken when it is readable first (it is
  // read, i.e. reset).
  Read recv(nlohmann::json *out, int timeout_ms, int wake_fd = -1);
  // Waits up to timeout_ms for the worker's "ready" frame (start-up: the
  // interpreter's initialisation). The "output" frames it writes before
  // (start-up messages: SX_CPP_TIMINGS, warnings) are appended to *early.
  // Frame: *ready is the first other frame ("ready" unless the worker broke
  // off, e.g. "fatal").
  Read await_ready(nlohmann::json *ready, int timeout_ms, std::vector<nlohmann::json> *early);
  // Why the worker was killed for breaking the protocol ("" if it was not).
  const std::string &violation() const { return violation_; }

  void signal(int sig);
  // Kills the worker spawned as `pid` (not yet reaped) from any thread: its
  // namespace's init if it has one (the relay then reaps it and exits, and
  // the thread that owns the WorkerProcess sees the pipe close), else `pid`.
  static void kill_from_other_thread(pid_t pid);
  // SIGKILL (if running) and reap. Idempotent.
  void kill_and_reap();
  // Reaps without killing if the process has exited (waits up to wait_ms).
  bool reap(int wait_ms);
  // For a worker whose protocol pipe closed (it is dying): reaps it if it
  // exits within grace_ms, so its own exit status is kept, else kills it.
  void reap_or_kill(int grace_ms);
  // "exited with code 3" / "killed by signal 11 (Segmentation fault)".
  std::string exit_description() const;
  // After a start that did not end in "ready" (await_ready's `r` and
  // `reply`): reaps the worker (killed if it is still running; grace_ms as
  // reap_or_kill's if its pipe closed) and says why it failed, e.g.
  // "exited with code 3", "jupyter: cannot reach …" (what the worker said).
  std::string abandon_start(Read r, const nlohmann::json &reply, int grace_ms);
  // After reaping: the exit code (-1 if it did not exit) and the signal that
  // killed it (0 if none).
  int exit_code() const;
  int term_signal() const;
  pid_t pid() const { return pid_; }
  // How the process limit is enforced: "cgroup <dir>", "RLIMIT_NPROC" or "none".
  const std::string &process_limit() const { return process_limit_; }

 private:
  WorkerProcess() = default;
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  bool reaped_ = false;
  int wstatus_ = 0;
  proto::FrameReader reader_{proto::kMaxReplyFrame};
  std::string violation_;
  bool frame_checks_ = true;
  bool group_killed_ = false;
  std::string cgroup_;  // pids cgroup directory of this worker ("" = none)
  // pidfd of the init of the worker's PID namespace: -2 = not looked up yet,
  // -1 = none. Looked up at the first frame (the worker exists by then).
  int init_fd_ = -2;
  std::string process_limit_ = "none";
};

}  // namespace sx

#endif
