// What an executor may ask of its session and how it reports to it: the
// only calls from an executor up to the session (the session calls its
// executors: submit, end_program, cut, interrupt, drain). Session implements
// it; executors see nothing else of the session (docs/ARCHITECTURE.md).
#ifndef STREAMEXEC_SCHEDULER_EXECUTOR_HOST_H
#define STREAMEXEC_SCHEDULER_EXECUTOR_HOST_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/worker_client.h"
#include "frontend/router/router.h"
#include "ir/ir.h"

namespace sx {

class WorkerPool;  // scheduler/pool.h

enum class GateDecision { Run, Hold, Skip };
// sx_options.on_error, `--on-error`: after a unit fails, stop its language
// (later units are skipped) or go on.
enum class OnError { Stop, Continue };

// The session's options: one field per sx_options field, with its name
// (worker_memory_bytes is worker.memory_bytes, sandbox_off sandbox.off; the
// table in README "CLI" maps flags to fields).

struct SessionConfig {
  Mode mode = Mode::Markdown;
  Lang lang = Lang::Python;        // raw mode's language
  bool execute = true;             // false: only chunk (no workers)
  std::vector<Lang> prestart;      // workers started with the session (default: see Session())
  OnError on_error = OnError::Stop;  // after a unit fails: stop the language or continue
  bool batching = true;            // dispatch everything waiting in one message
  bool serial = false;             // gate: run nothing before the end of the stream
  double unit_timeout_s = 30;
  double session_timeout_s = 0;      // whole session from creation; 0 = none
  double interrupt_grace_ms = 2000;  // after an interrupt, before the worker is killed
  std::size_t output_cap_bytes = 8u << 20;  // per unit; the rest is dropped with a marker
  WorkerLimits worker;                      // worker_memory_bytes, worker_max_* of sx_options
  WorkerSandbox sandbox;           // environment, network, writable directories
  std::string worker_dir;          // where streamexec-worker-<lang> live
  // Warm workers (sx_options.pool): taken from here when the pool's worker
  // options equal these; else the executor starts its own.
  std::shared_ptr<WorkerPool> pool;
  // python_executor: "" = our own Python worker; "jupyter:FILE" (FILE an
  // absolute path) = Python units run on the Jupyter kernel of that
  // connection file, through streamexec-worker-jupyter; "jupyter:URL" (an
  // http(s) URL) = on a kernel the worker starts on that Jupyter server or gateway.
  std::string python_executor;
  // Called for every event, never concurrently (one event at a time), from
  // the feeding thread or an executor thread.
  std::function<void(const Event &)> on_event;
  // Gate policy, evaluated on the feeding thread for each closed unit.
  std::function<GateDecision(const Unit &, std::string *reason)> gate;
};

// The worker a language's units run in: the executable and the sandbox it
// is spawned with (the session's, but for the Jupyter bridge, which gets the
// host's network to reach the kernel and the connection file's path).
struct WorkerSpec {
  std::string exe;
  WorkerSandbox sandbox;
};
WorkerSpec worker_spec(const SessionConfig &cfg, Lang lang);

class ExecutorHost {
 public:
  virtual ~ExecutorHost() = default;
  virtual const SessionConfig &config() const = 0;
  // Milliseconds since the session's first byte.
  virtual double now_ms() const = 0;
  // The session's total time limit, in now_ms() time (infinity if none).
  virtual double deadline_ms() const = 0;
  bool out_of_time() const { return now_ms() >= deadline_ms(); }
  // An event (stamped with its time and answer), delivered at once.
  virtual void emit(Event &e) = 0;
  // A unit failed: SX_STOP from now on. Called before the failure's event is
  // emitted, so that a caller who sees it gets SX_STOP at its next feed.
  virtual void note_failure() = 0;
  // The first failure of the answer: a stop_advised event with the reason.
  virtual void advise_stop(Lang lang, std::int64_t unit_id, const std::string &why) = 0;
  // For the latency reports: a unit's result, a program's end (its result,
  // and the execution after its last unit — event loop, atexit; C++ main
  // counts in its unit — which could not start before t_ready_ms).
  virtual void record_result(const Unit &u, const Result &r) = 0;
  virtual void record_program(Lang lang, const Result &r, double t_ready_ms, double end_exec_ms) = 0;
};

}  // namespace sx

#endif
