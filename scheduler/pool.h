// Warm worker pools (sx_pool, docs/DESIGN.md §6 "Warm pools"): started
// workers, ready for the sessions of a process to take.
//
// A worker's start-up (its sandbox, the interpreter's initialisation: Python
// with site imported, Node's environment and our runtime prelude, Clang's
// interpreter with the prelude parsed) is most of a session's first result.
// A pool does it ahead of time on a thread of its own: it keeps `ready[lang]`
// workers that have sent their "ready" frame and wait for their first
// request. A session whose worker options equal the pool's takes one instead
// of starting its own; the pool starts a replacement at once. A worker is
// never given back: every session gets a process no unit has run in, and it
// ends with the session (isolation, docs/DESIGN.md §6b).
//
// Lifetime: the workers' relay processes die with the thread that started
// them (PR_SET_PDEATHSIG), so the pool's thread must outlive every session
// that took a worker from it. Sessions hold the pool (shared_ptr); the
// thread stops when the last holder lets go.
#ifndef STREAMEXEC_SCHEDULER_POOL_H
#define STREAMEXEC_SCHEDULER_POOL_H

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/worker_client.h"
#include "ir/ir.h"

namespace sx {

// What a pool's workers are started with; a session may take one only if
// its own are equal.
struct PoolWorkerConfig {
  std::string worker_dir;
  WorkerLimits limits;
  WorkerSandbox sandbox;
  bool operator==(const PoolWorkerConfig &o) const;
};

struct PoolStats {
  std::array<std::uint64_t, 3> started{};   // workers started by the pool (ready or failed)
  std::array<std::uint64_t, 3> taken{};     // handed to a session
  std::array<std::uint64_t, 3> empty{};     // a session found none ready (it started its own)
  std::array<std::uint64_t, 3> mismatch{};  // a session's worker options differ from the pool's
  std::array<std::uint64_t, 3> failed{};    // starts that did not become ready
  std::array<std::uint32_t, 3> ready{};     // ready now
  std::string last_error;                   // of the last failed start
};

class WorkerPool {
 public:
  // ready[lang]: workers kept ready. adaptive: a language starts at 0 and
  // gets ready[lang] once a session asked the pool for a worker of it (a
  // default pool keeps only the languages a process uses).
  WorkerPool(PoolWorkerConfig cfg, std::array<unsigned, 3> ready, bool adaptive);
  ~WorkerPool();  // kills the ready workers, stops the thread
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  struct Taken {
    std::unique_ptr<WorkerProcess> process;
    nlohmann::json ready;                     // its "ready" frame
    std::vector<nlohmann::json> early_output;  // what it wrote before
  };
  // A ready worker of `lang` for a session with worker options `cfg`, or
  // nothing (none ready, or the options differ): the session starts its own.
  // Never waits for a start.
  bool take(Lang lang, const PoolWorkerConfig &cfg, Taken *out);
  // The owner let go (sx_pool_free): the ready workers are stopped and no
  // more are started; sessions that hold the pool keep its thread.
  void close();
  // Waits until every language has its ready workers (or timeout_ms).
  bool wait_full(int timeout_ms);
  PoolStats stats() const;

 private:
  void run();
  unsigned want(int l) const { return closed_ || (adaptive_ && !asked_[l]) ? 0 : ready_want_[l]; }
  bool needs_start() const;  // under mu_
  int next_start(std::chrono::steady_clock::time_point *due) const;  // under mu_

  PoolWorkerConfig cfg_;
  std::array<unsigned, 3> ready_want_;
  bool adaptive_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // the thread: work to do / stop
  std::condition_variable full_cv_;  // wait_full
  std::array<std::deque<Taken>, 3> ready_;
  std::array<bool, 3> asked_{};
  std::array<bool, 3> broken_{};     // the last start failed: retried after a pause
  bool stop_ = false;
  bool closed_ = false;
  // Per language: a take that left ready workers refills at refill_due_
  // (kRefillDelay after the first such take; see pool.cpp).
  std::array<std::chrono::steady_clock::time_point, 3> refill_due_{};
  PoolStats stats_;
  std::thread thread_;
};

}  // namespace sx

#endif
