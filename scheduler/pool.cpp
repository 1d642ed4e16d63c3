// Warm worker pools (pool.h).
#include "scheduler/pool.h"

#include <chrono>
#include <unistd.h>

#include <fmt/format.h>

namespace sx {

namespace {
// A start that does not become ready within this is given up (as a session's
// own start is: scheduler/executor.cpp).
constexpr int kStartTimeoutMs = 60000;
// After a failed start, the pool waits this long before it tries again.
constexpr auto kRetryPause = std::chrono::seconds(1);
// The replacement of a worker a session took starts this much later: a
// worker's start (exec, namespaces, interpreter) takes a core for 20-300 ms,
// and right after the take it competed with the session's first units. On 2
// idle cores, a pool of 2 Python workers, a session's first unit (fed at once)
// from closed to started in the worker, 3 x 20 sessions: refill at once p90
// 1.15-3.35 ms, max 1.3-5.2; 60 ms later p90 1.01-1.31, max 1.0-2.6. Only
// while the language has ready workers left: a take that empties it refills
// at once (else the next session starts its own, 60-400 ms). Takes while a
// refill is due do not postpone it.
constexpr auto kRefillDelay = std::chrono::milliseconds(60);
}  // namespace

bool PoolWorkerConfig::operator==(const PoolWorkerConfig &o) const {
  return worker_dir == o.worker_dir && limits.memory_bytes == o.limits.memory_bytes &&
         limits.max_open_files == o.limits.max_open_files && limits.max_processes == o.limits.max_processes &&
         sandbox.env == o.sandbox.env && sandbox.network == o.sandbox.network &&
         sandbox.allow_write == o.sandbox.allow_write && sandbox.scratch_bytes == o.sandbox.scratch_bytes &&
         sandbox.off == o.sandbox.off;
}

WorkerPool::WorkerPool(PoolWorkerConfig cfg, std::array<unsigned, 3> ready, bool adaptive)
    : cfg_(std::move(cfg)), ready_want_(ready), adaptive_(adaptive) {
  thread_ = std::thread([this] { run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// The language to start a worker for now: the one with the fewest ready
// workers against what it wants, among those whose refill is not delayed;
// -1 if none, with *due the earliest delayed one's time (max() if none).
int WorkerPool::next_start(std::chrono::steady_clock::time_point *due) const {
  auto now = std::chrono::steady_clock::now();
  int lang = -1;
  *due = std::chrono::steady_clock::time_point::max();
  for (int l = 0; l < 3; ++l) {
    if (broken_[l] || ready_[l].size() >= want(l)) continue;
    if (refill_due_[l] > now) {
      *due = std::min(*due, refill_due_[l]);
      continue;
    }
    if (lang < 0 || ready_[l].size() < ready_[lang].size()) lang = l;
  }
  return lang;
}

bool WorkerPool::needs_start() const {
  std::chrono::steady_clock::time_point due;
  return next_start(&due) >= 0 || due != std::chrono::steady_clock::time_point::max();
}

void WorkerPool::run() {
  block_sigpipe_on_this_thread();  // as on an executor's thread

  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    auto any_ready = [&] { return !ready_[0].empty() || !ready_[1].empty() || !ready_[2].empty(); };
    cv_.wait(lk, [&] { return stop_ || (closed_ && any_ready()) || needs_start(); });
    if (stop_) break;
    std::chrono::steady_clock::time_point due;
    int lang = closed_ ? -1 : next_start(&due);
    if (!closed_ && lang < 0) {
      // Only delayed refills (a take that empties a language clears its
      // delay: at once then).
      // (needs_start() held, under the same lock: `due` is a real time)
      cv_.wait_until(lk, due, [&] {
        std::chrono::steady_clock::time_point d;
        return stop_ || closed_ || next_start(&d) >= 0;
      });
      continue;
    }
    if (closed_) {
      // Here, on the thread that started them (their relays die with it).
      std::array<std::deque<Taken>, 3> gone;
      gone.swap(ready_);
      lk.unlock();
      for (auto &q : gone)
        for (auto &t : q) t.process->kill_and_reap();
      lk.lock();
      continue;
    }
    lk.unlock();

    std::string exe = fmt::format("{}/streamexec-worker-{}", cfg_.worker_dir, lang_name(static_cast<Lang>(lang)));
    std::string err;
    Taken t;
    bool ok = false;
    if (access(exe.c_str(), X_OK) != 0) {
      err = fmt::format("the {} worker {} is missing or not executable", lang_name(static_cast<Lang>(lang)), exe);
    } else if ((t.process = WorkerProcess::spawn(exe, cfg_.limits, cfg_.sandbox, &err, /*warm=*/true))) {
      // In slices, so that the pool's end does not wait for a slow start.
      WorkerProcess::Read r = WorkerProcess::Read::Timeout;
      for (int waited = 0; waited < kStartTimeoutMs && r == WorkerProcess::Read::Timeout; waited += 100) {
        r = t.process->await_ready(&t.ready, 100, &t.early_output);
        std::lock_guard<std::mutex> g(mu_);
        if (stop_) break;
      }
      ok = r == WorkerProcess::Read::Frame && t.ready.value("op", "") == "ready";
      if (!ok) {
        err = fmt::format("{} worker failed to start ({})", lang_name(static_cast<Lang>(lang)),
                          t.process->abandon_start(r, t.ready, 200));
        t.process.reset();
      }
    }
    lk.lock();
    ++stats_.started[lang];
    if (ok) {
      ready_[lang].push_back(std::move(t));
      full_cv_.notify_all();
      continue;
    }
    if (stop_) break;
    ++stats_.failed[lang];
    stats_.last_error = err;
    broken_[lang] = true;
    cv_.wait_for(lk, kRetryPause, [&] { return stop_; });
    broken_[lang] = false;
  }
  // Here, on the thread that started them (their relays die with it).
  std::array<std::deque<Taken>, 3> left;
  left.swap(ready_);
  lk.unlock();
  for (auto &q : left)
    for (auto &t : q) t.process->kill_and_reap();
}

void WorkerPool::close() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool WorkerPool::take(Lang lang, const PoolWorkerConfig &cfg, Taken *out) {
  int l = static_cast<int>(lang);
  std::lock_guard<std::mutex> lk(mu_);
  if (!(cfg == cfg_)) {
    ++stats_.mismatch[l];
    return false;
  }
  if (closed_) return false;
  asked_[l] = true;
  cv_.notify_all();  // take one, start one (and a first ask starts an adaptive language)
  while (!ready_[l].empty()) {
    Taken t = std::move(ready_[l].front());
    ready_[l].pop_front();
    // One that died while it waited (killed from outside, out of memory) is
    // of no use.
    if (t.process->reap(0)) {
      ++stats_.failed[l];
      stats_.last_error = fmt::format("a ready {} worker {} while it waited", lang_name(lang),
                                      t.process->exit_description());
      continue;
    }
    ++stats_.taken[l];
    auto now = std::chrono::steady_clock::now();
    if (ready_[l].empty()) refill_due_[l] = now;  // the next session would start its own: refill now
    else if (refill_due_[l] <= now)               // (not again while one is delayed)
      refill_due_[l] = now + kRefillDelay;
    *out = std::move(t);
    return true;
  }
  ++stats_.empty[l];
  return false;
}

bool WorkerPool::wait_full(int timeout_ms) {
  std::unique_lock<std::mutex> lk(mu_);
  return full_cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [&] {
    for (int l = 0; l < 3; ++l)
      if (ready_[l].size() < want(l)) return false;
    return true;
  });
}

PoolStats WorkerPool::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  PoolStats s = stats_;
  for (int l = 0; l < 3; ++l) s.ready[l] = static_cast<std::uint32_t>(ready_[l].size());
  return s;
}

}  // namespace sx
