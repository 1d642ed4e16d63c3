#include "scheduler/executor.h"

#include <algorithm>
#include <cmath>
#include <csignal>

#include <fmt/format.h>

#include "scheduler/session.h"

namespace sx {

namespace {
// How a running unit is interrupted on timeout before the worker is killed:
// CPython turns SIGINT into KeyboardInterrupt; the JS worker turns it into
// TerminateExecution; a JIT-compiled C++ loop cannot be interrupted (kill).
int interrupt_signal(Lang l) {
  switch (l) {
    case Lang::Python: return SIGINT;
    case Lang::JavaScript: return SIGINT;
    default: return 0;
  }
}

// How long a worker whose protocol pipe closed may take to exit by itself.
constexpr int kDeathGraceMs = 500;

Status parse_status(const std::string &s) {
  if (s == "ok") return Status::Ok;
  if (s == "syntax_error") return Status::SyntaxError;
  return Status::Error;
}
}  // namespace

Executor::Executor(Lang lang, Session &session) : lang_(lang), s_(session) {
  thread_ = std::thread([this] { run(); });
}

Executor::~Executor() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
  {
    // Unblocks a dispatch or start-up in progress; the thread reaps it.
    std::lock_guard<std::mutex> lk(pid_mu_);
    if (live_pid_ > 0) ::kill(live_pid_, SIGKILL);
  }
  thread_.join();
  worker_.reset();
}

void Executor::submit(Unit &&u, bool hold) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back({std::move(u), hold});
  }
  cv_.notify_all();
}

void Executor::release() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    released_ = true;
  }
  cv_.notify_all();
}

void Executor::drain() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return (queue_.empty() && !busy_) || shutdown_; });
}

bool Executor::ensure_worker(std::string *err) {
  if (worker_) return true;
  std::string exe = fmt::format("{}/streamexec-worker-{}", s_.config().worker_dir, lang_name(lang_));
  worker_ = WorkerProcess::spawn(exe, s_.config().limits, err);
  if (!worker_) return false;
  set_live_pid(worker_->pid());
  nlohmann::json ready;
  // Start-up (interpreter init) is bounded; it normally takes 10-200 ms.
  auto r = worker_->recv(&ready, 60000);
  if (r != WorkerProcess::Read::Frame || ready.value("op", "") != "ready") {
    set_live_pid(-1);
    if (r == WorkerProcess::Read::Closed) {
      worker_->reap_or_kill(kDeathGraceMs);
    } else {
      worker_->kill_and_reap();
    }
    *err = fmt::format("{} worker failed to start ({}{}{})", lang_name(lang_), worker_->exit_description(),
                       ready.is_object() && ready.contains("message") ? ": " : "",
                       ready.is_object() ? ready.value("message", "") : "");
    worker_.reset();
    return false;
  }
  return true;
}

void Executor::run() {
  std::string err;
  if (s_.config().execute) ensure_worker(&err);  // pre-warm while the model writes
  for (;;) {
    std::deque<Unit> batch;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return shutdown_ || runnable_front(); });
      if (shutdown_) return;
      // Dynamic batching: everything that closed while the worker was busy
      // goes in one dispatch (up to the first unit the gate holds).
      do {
        batch.push_back(std::move(queue_.front().unit));
        queue_.pop_front();
      } while (s_.config().batching && runnable_front());
      busy_ = true;
    }
    if (!stopped_ && s_.out_of_time()) {
      out_of_session_time();
      s_.advise_stop(lang_, batch.front().id, stopped_why_);
    }
    if (stopped_) {
      skip_all(batch, stopped_why_);
    } else if (!ensure_worker(&err)) {
      // Without a worker nothing of this language can run.
      for (auto &u : batch) {
        Result r;
        r.unit_id = u.id;
        r.status = Status::Crashed;
        r.has_error = true;
        r.error.type = "WorkerError";
        r.error.message = err;
        finish_unit(u, r);
      }
      batch.clear();  // they have their result: not back into the queue (that looped forever)
    } else {
      dispatch(batch);
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      busy_ = false;
      // Units that could not run (worker lost mid-batch) go back to the front.
      while (!batch.empty()) {
        queue_.push_front({std::move(batch.back()), false});
        batch.pop_back();
      }
    }
    cv_.notify_all();
  }
}

void Executor::skip_all(std::deque<Unit> &batch, const std::string &why) {
  for (auto &u : batch) {
    Result r;
    r.unit_id = u.id;
    r.status = Status::Skipped;
    r.note = why;
    finish_unit(u, r);
  }
  batch.clear();
}

void Executor::finish_unit(const Unit &u, Result &r) {
  if (r.t_finished_ms == 0) r.t_finished_ms = s_.now_ms();
  Event e;
  e.kind = EventKind::UnitDone;
  e.unit_id = u.id;
  e.lang = lang_;
  e.result = r;
  s_.record_result(u, r);
  s_.emit(e);
  bool failed = r.status != Status::Ok && r.status != Status::Skipped;
  if (failed) {
    std::string why = r.has_error ? fmt::format("{} unit {} failed: {}: {}", lang_name(lang_), u.id,
                                                r.error.type, r.error.message)
                                  : fmt::format("{} unit {} {}", lang_name(lang_), u.id, status_name(r.status));
    if (s_.config().stop_on_error && !stopped_) {
      stopped_ = true;
      stopped_why_ = fmt::format("skipped: an earlier {} unit ({}) failed", lang_name(lang_), u.id);
    }
    s_.advise_stop(lang_, u.id, why);
  }
}

void Executor::out_of_session_time() {
  stopped_ = true;
  stopped_why_ = fmt::format("skipped: the session's total time limit of {:.3g} s ran out",
                             s_.config().session_timeout_ms / 1000);
}

void Executor::lose_worker(const std::string &what) {
  set_live_pid(-1);
  worker_.reset();
  ++restarts_;
  Event e;
  e.kind = EventKind::WorkerRestarted;
  e.lang = lang_;
  e.text = fmt::format("{}; a new {} worker is started — the session's {} state was lost", what,
                       lang_name(lang_), lang_name(lang_));
  s_.emit(e);
}

void Executor::dispatch(std::deque<Unit> &batch) {
  const auto &cfg = s_.config();
  nlohmann::json msg = {{"op", "exec"}, {"stop_on_error", cfg.stop_on_error}};
  auto &units = msg["units"] = nlohmann::json::array();
  double t_disp = s_.now_ms();
  for (const auto &u : batch) {
    units.push_back({{"id", u.id}, {"code", u.code}, {"line", u.begin.line}, {"col", u.begin.col}});
  }
  if (!worker_->send(msg)) {
    worker_->reap_or_kill(kDeathGraceMs);
    lose_worker(fmt::format("{} worker died before the dispatch ({})", lang_name(lang_),
                            worker_->exit_description()));
    return;  // units stay in the batch and are retried on the new worker
  }
  // Results come back in order; `batch.front()` is always the unit in flight.
  Result cur;
  bool started = false, interrupted = false;
  // The unit's deadline; before its "started" frame it counts from the
  // dispatch (or the previous unit's end), so a worker that never starts a
  // unit cannot block the host either.
  double deadline = t_disp + cfg.unit_timeout_ms;
  while (!batch.empty()) {
    Unit &u = batch.front();
    if (!started) {
      cur = Result{};
      cur.unit_id = u.id;
      cur.t_dispatched_ms = t_disp;
    }
    // Waits beyond INT_MAX ms (unit_timeout_s = 1e9 or INFINITY: "no limit")
    // are done in steps: casting them to int would be undefined.
    double until = std::min(deadline, s_.deadline_ms());
    int wait = -1;
    if (std::isfinite(until)) wait = static_cast<int>(std::clamp(until - s_.now_ms() + 1, 0.0, 1e9));
    nlohmann::json f;
    auto rd = worker_->recv(&f, wait);
    if (rd == WorkerProcess::Read::Timeout) {
      bool session_over = s_.out_of_time();
      if (!session_over && s_.now_ms() < deadline) continue;  // a step of a long wait
      if (!session_over && !interrupted && interrupt_signal(lang_) != 0) {
        worker_->signal(interrupt_signal(lang_));
        interrupted = true;
        deadline = s_.now_ms() + cfg.interrupt_grace_ms;
        continue;
      }
      worker_->kill_and_reap();
      cur.has_error = true;
      if (session_over) {
        out_of_session_time();
        cur.status = Status::Limit;
        cur.error.type = "SessionTimeLimit";
        cur.error.message = fmt::format("the session's total time limit of {:.3g} s ran out while this unit ran; "
                                        "worker killed", cfg.session_timeout_ms / 1000);
      } else {
        cur.status = Status::Timeout;
        cur.error.type = "Timeout";
        cur.error.message = fmt::format("unit exceeded the {:.3g} s wall-clock limit{}", cfg.unit_timeout_ms / 1000,
                                        interrupted ? " and did not stop when interrupted; worker killed"
                                                    : "; worker killed");
      }
      finish_unit(u, cur);
      batch.pop_front();
      lose_worker(fmt::format("{} worker killed after a {}", lang_name(lang_),
                              session_over ? "session time-out" : "timeout"));
      if (stopped_) skip_all(batch, stopped_why_);
      return;
    }
    if (rd == WorkerProcess::Read::Closed) {
      worker_->reap_or_kill(kDeathGraceMs);
      std::string how = worker_->exit_description();
      cur.status = Status::Crashed;
      cur.has_error = true;
      cur.error.type = "WorkerCrashed";
      cur.error.message = fmt::format("the {} worker {} while running this unit", lang_name(lang_), how);
      finish_unit(u, cur);
      batch.pop_front();
      lose_worker(fmt::format("{} worker {}", lang_name(lang_), how));
      if (stopped_) skip_all(batch, stopped_why_);
      return;
    }
    std::string op = f.value("op", "");
    std::int64_t id = f.value("id", std::int64_t{-1});
    if (op == "started" && id == u.id) {
      started = true;
      cur.t_started_ms = s_.now_ms();
      deadline = cur.t_started_ms + cfg.unit_timeout_ms;
      Event e;
      e.kind = EventKind::UnitStarted;
      e.unit_id = u.id;
      e.lang = lang_;
      s_.emit(e);
    } else if (op == "output" && id == u.id) {
      std::string stream = f.value("stream", "stdout");
      std::string text = f.value("text", "");
      std::string &acc = stream == "stderr" ? cur.stderr_text : cur.stdout_text;
      std::size_t total = cur.stdout_text.size() + cur.stderr_text.size();
      if (total >= cfg.output_cap_bytes) continue;  // marker already sent
      if (total + text.size() >= cfg.output_cap_bytes) {
        text.resize(cfg.output_cap_bytes - total);
        text += fmt::format("\n[streamexec: output of unit {} truncated at {} bytes]\n", u.id, cfg.output_cap_bytes);
      }
      acc += text;
      Event e;
      e.kind = EventKind::Output;
      e.unit_id = u.id;
      e.lang = lang_;
      e.stream = stream;
      e.text = std::move(text);
      s_.emit(e);
    } else if (op == "done" && id == u.id) {
      cur.status = parse_status(f.value("status", "error"));
      cur.exec_ms = f.value("exec_ms", 0.0);
      if (f.contains("value")) {
        cur.has_value = true;
        cur.value_repr = f["value"].get<std::string>();
      }
      if (f.contains("error")) {
        const auto &er = f["error"];
        cur.has_error = true;
        cur.error.type = er.value("type", "");
        cur.error.message = er.value("message", "");
        cur.error.line = er.value("line", 0);
        cur.error.traceback = er.value("traceback", "");
      }
      if (interrupted) {
        cur.status = Status::Timeout;
        cur.has_error = true;
        cur.error.type = "Timeout";
        cur.error.message = fmt::format("unit exceeded the {:.3g} s wall-clock limit and was interrupted",
                                        cfg.unit_timeout_ms / 1000);
      }
      finish_unit(u, cur);
      batch.pop_front();
      started = interrupted = false;
      deadline = s_.now_ms() + cfg.unit_timeout_ms;
    } else if (op == "skipped" && id == u.id) {
      cur.status = Status::Skipped;
      cur.note = stopped_why_.empty() ? "skipped after an earlier failure in the batch" : stopped_why_;
      finish_unit(u, cur);
      batch.pop_front();
    }
  }
}

}  // namespace sx
