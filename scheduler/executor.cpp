// The executor's queue and dispatch: units in stream order to the worker,
// batching, the unit's deadline and interrupts, results back to the session
// (docs/DESIGN.md §5, §6). Program ends are in executor_programs.cpp,
// JavaScript hoisting in executor_hoist.cpp.
#include "scheduler/executor.h"
#include "scheduler/pool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "backends/common/sandbox/sandbox.h"
#include "backends/jupyter/gateway_url.h"
#include "scheduler/executor_internal.h"

namespace sx {

using namespace executor_detail;

namespace {

// What a worker's ready frame says of its sandbox (sandbox::Report as JSON),
// against what was asked.
SandboxReport sandbox_report(Lang lang, const nlohmann::json &j, const WorkerSandbox &asked) {
  sandbox::Report got = sandbox::Report::from_json(j);
  SandboxReport r;
  r.lang = lang;
  r.active = got.active();
  r.missing = got.missing(asked.network);
  r.notes = got.notes;
  r.host_uid = got.host_uid;
  return r;
}

// How a running unit is interrupted on timeout before the worker is killed:
// CPython turns SIGINT into KeyboardInterrupt; the JS worker turns it into
// TerminateExecution; the C++ worker kills the program's own process (a
// forked child of the interpreter), which keeps the state from before the
// program.
int interrupt_signal(Lang l) {
  switch (l) {
    case Lang::Python:
    case Lang::JavaScript:
    case Lang::Cpp: return SIGINT;
    default: return 0;
  }
}

// The longest wait for a worker's frame before an interrupt is looked at.
constexpr int kInterruptPollMs = 10;
constexpr const char *kCutNote = "not run: the answer was cut before this unit started";
}  // namespace

WorkerSpec worker_spec(const SessionConfig &cfg, Lang lang) {
  WorkerSpec w;
  w.sandbox = cfg.sandbox;
  constexpr std::string_view kJupyter = "jupyter:";
  if (lang == Lang::Python && cfg.python_executor.starts_with(kJupyter)) {
    // The units run in the kernel (its isolation is its platform's); the
    // bridge needs the kernel's ports or its server's, and the connection
    // file (read by the bridge's first process, outside the mount namespace)
    // or the server's URL. A server's token and CA file are the host's
    // SX_JUPYTER_TOKEN and SX_JUPYTER_CA_FILE unless the session's env sets them.
    w.exe = fmt::format("{}/streamexec-worker-jupyter", cfg.worker_dir);
    w.sandbox.network = sandbox::Network::Host;
    w.sandbox.env.push_back("SX_WORKER_JUPYTER_CONNECTION=" + cfg.python_executor.substr(kJupyter.size()));
    bool url = jupyter::is_gateway_url(cfg.python_executor.substr(kJupyter.size()));
    for (const char *name : {"SX_JUPYTER_TOKEN", "SX_JUPYTER_CA_FILE"}) {
      auto set = [name](const std::string &e) { return e == name || e.starts_with(std::string(name) + "="); };
      if (url && std::none_of(w.sandbox.env.begin(), w.sandbox.env.end(), set)) w.sandbox.env.emplace_back(name);
    }
    return w;
  }
  w.exe = fmt::format("{}/streamexec-worker-{}", cfg.worker_dir, lang_name(lang));
  return w;
}

Executor::Executor(Lang lang, ExecutorHost &session) : lang_(lang), s_(session) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);  // -1: no follow-on dispatch (see send_followers)
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
    if (live_pid_ > 0) WorkerProcess::kill_from_other_thread(live_pid_);
  }
  thread_.join();
  worker_.reset();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Executor::wake() {
  std::uint64_t one = 1;
  if (wake_fd_ >= 0 && write(wake_fd_, &one, sizeof one) < 0) {
    // EAGAIN: the counter is full, i.e. already readable
  }
}

void Executor::submit(Unit &&u, bool hold) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    Item it;
    it.fence = u.fence;
    it.unit = std::move(u);
    it.hold = hold;
    queue_.push_back(std::move(it));
  }
  cv_.notify_all();
  wake();
}

void Executor::end_program(int fence, bool cut) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    Item it;
    it.kind = Item::Kind::End;
    it.fence = fence;
    it.cut = cut;
    it.t_queued = s_.now_ms();
    queue_.push_back(std::move(it));
  }
  cv_.notify_all();
}

void Executor::program_failed(int fence, const Result &syntax_error) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    Item it;
    it.kind = Item::Kind::Failed;
    it.fence = fence;
    it.failure = syntax_error;
    queue_.push_back(std::move(it));
  }
  cv_.notify_all();
}

void Executor::release() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    released_ = true;
  }
  cv_.notify_all();
  wake();
}

void Executor::cut() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    std::set<int> cut_fences;
    for (auto &it : queue_) {
      if (it.kind != Item::Kind::Unit) continue;
      it.cut = true;
      it.hold = false;  // skipped at once, not held until the answer's end
      cut_fences.insert(it.fence);
    }
    for (auto &it : queue_)
      if (it.kind == Item::Kind::End && cut_fences.count(it.fence)) it.cut = true;
  }
  cut_sent_.store(true);
  cv_.notify_all();
  wake();
}

void Executor::begin_answer() {
  std::lock_guard<std::mutex> lk(mu_);
  released_ = false;
  stopped_ = false;
  stopped_why_.clear();
}

void Executor::interrupt() {
  std::lock_guard<std::mutex> lk(mu_);
  if (busy_) interrupt_gen_.store(flight_gen_.load());
}

bool Executor::sandbox(SandboxReport *out) const {
  std::lock_guard<std::mutex> lk(mu_);
  if (has_sandbox_) *out = sandbox_;
  return has_sandbox_;
}

void Executor::drain() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return (queue_.empty() && !busy_) || shutdown_; });
}

bool Executor::ensure_worker(std::string *err) {
  if (worker_) return true;
  const SessionConfig &cfg = s_.config();
  WorkerSpec spec = worker_spec(cfg, lang_);
  fatal_.clear();
  nlohmann::json ready;
  // What the worker prints before it is ready (SX_CPP_TIMINGS, warnings)
  // belongs to no unit: passed on as output of unit -1.
  std::vector<nlohmann::json> early;
  WorkerProcess::Read r = WorkerProcess::Read::Frame;
  WorkerPool::Taken warm;
  // A pool holds the languages' own workers (not the Jupyter bridge).
  bool own = spec.exe == fmt::format("{}/streamexec-worker-{}", cfg.worker_dir, lang_name(lang_));
  if (own && cfg.pool && cfg.pool->take(lang_, PoolWorkerConfig{cfg.worker_dir, cfg.worker, spec.sandbox}, &warm)) {
    // Started and ready: the pool did the start-up (scheduler/pool.h).
    worker_ = std::move(warm.process);
    set_live_pid(worker_->pid());
    ready = std::move(warm.ready);
    early = std::move(warm.early_output);
  } else {
    const std::string &exe = spec.exe;
    if (access(exe.c_str(), X_OK) != 0) {
      *err =
          fmt::format("the {} worker {} {} (set sx_options.worker_dir or STREAMEXEC_WORKER_DIR)", lang_name(lang_), exe,
                      errno == ENOENT ? "does not exist" : fmt::format("is not executable: {}", strerror(errno)));
      return false;
    }
    worker_ = WorkerProcess::spawn(exe, cfg.worker, spec.sandbox, err);
    if (!worker_) return false;
    set_live_pid(worker_->pid());
    // Start-up (interpreter init) is bounded; it normally takes 10-200 ms.
    r = worker_->await_ready(&ready, 60000, &early);
  }
  for (const auto &f : early) output_frame(f, nullptr, -1);
  if (r == WorkerProcess::Read::Frame && ready.value("op", "") == "ready") {
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto &g : ready.value("globals", nlohmann::json::array())) js_known_.insert(g.get<std::string>());
    sandbox_ = sandbox_report(lang_, ready.value("sandbox", nlohmann::json::object()), spec.sandbox);
    has_sandbox_ = true;
  }
  if (r != WorkerProcess::Read::Frame || ready.value("op", "") != "ready") {
    set_live_pid(-1);
    *err = fmt::format("{} worker failed to start ({})", lang_name(lang_),
                       worker_->abandon_start(r, ready, kDeathGraceMs));
    worker_.reset();
    return false;
  }
  return true;
}

void Executor::run() {
  block_sigpipe_on_this_thread();
  std::string err;
  if (s_.config().execute) ensure_worker(&err);  // pre-warm while the model writes
  for (;;) {
    std::deque<Unit> batch;
    Item marker;
    {
      std::unique_lock<std::mutex> lk(mu_);
      std::vector<std::size_t> hoisted;
      for (;;) {
        if (shutdown_) {
          // Here, on the thread that spawned it: the worker's relay dies
          // with this thread (PR_SET_PDEATHSIG), and must outlive its
          // namespace's init to reap it.
          lk.unlock();
          set_live_pid(-1);
          worker_.reset();
          return;
        }
        if (runnable_front()) {
          if (queue_.front().kind != Item::Kind::Unit || lang_ != Lang::JavaScript || queue_.front().cut) break;
          std::string waits_for;
          hoisted.clear();
          if (hoist_plan(&hoisted, &waits_for)) break;
          if (wait_announced_ != queue_.front().unit.id) {
            wait_announced_ = queue_.front().unit.id;
            Event h;
            h.kind = EventKind::UnitHeld;
            h.unit_id = queue_.front().unit.id;
            h.lang = lang_;
            h.text = fmt::format("waits for {}: not defined yet; a function declared later in the program "
                                 "is hoisted (runs first), else the unit runs when the program's text is complete",
                                 waits_for);
            lk.unlock();
            s_.emit(h);
            lk.lock();
            continue;
          }
        }
        cv_.wait(lk);
      }
      if (queue_.front().kind != Item::Kind::Unit) {
        marker = std::move(queue_.front());
        queue_.pop_front();
      } else if (queue_.front().cut) {
        marker.cut = true;  // a unit of a cut answer: skipped alone
        batch.push_back(std::move(queue_.front().unit));
        queue_.pop_front();
      } else {
        // Hoisted function declarations first (taken out of their place in
        // the queue, last first so the indices stay right).
        std::deque<Unit> first;
        for (auto it = hoisted.rbegin(); it != hoisted.rend(); ++it) {
          first.push_front(std::move(queue_[*it].unit));
          queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(*it));
        }
        // Dynamic batching: everything of one program that closed while the
        // worker was busy goes in one dispatch (up to the first unit the
        // gate holds, the program's end, or a JavaScript unit that would
        // wait for a name).
        int fence = queue_.front().fence;
        std::set<std::string> defs;
        for (auto &u : first) {
          defs.insert(u.defines.begin(), u.defines.end());
          batch.push_back(std::move(u));
        }
        take_front(&defs, &batch);
        if (s_.config().batching) take_batchable(fence, &defs, &batch);
        if (lang_ == Lang::JavaScript)
          for (const auto &u : batch) note_defined(u);
      }
      busy_ = true;
    }
    if (marker.kind == Item::Kind::End && batch.empty()) {
      if (marker.cut) programs_[marker.fence].cut = true;
      run_end(marker.fence, marker.t_queued);
    } else if (marker.cut && !batch.empty()) {
      Program &p = programs_[batch.front().fence];
      p.seen = true;
      p.cut = true;
      skip_all(batch, kCutNote);
    } else if (marker.kind == Item::Kind::Failed && batch.empty()) {
      Program &p = programs_[marker.fence];
      p.seen = true;
      if (!p.failed) {
        p.failed = true;
        p.failure = marker.failure;
        p.failure_unit = marker.failure.unit_id;
      }
      if (s_.config().on_error == OnError::Stop && !stopped_) {
        stopped_ = true;
        stopped_why_ = fmt::format("skipped: an earlier {} unit ({}) failed", lang_name(lang_), marker.failure.unit_id);
      }
    } else {
      Program &p = programs_[batch.front().fence];
      p.seen = true;
      if (!stopped_ && s_.out_of_time()) {
        out_of_session_time();
        s_.advise_stop(lang_, batch.front().id, stopped_why_);
      }
      if (stopped_) {
        skip_all(batch, stopped_why_);
      } else if (p.ended) {
        skip_all(batch, not_reached_note(p));
      } else if (p.returned_unit >= 0) {
        skip_all(batch, fmt::format("not reached: the program's top level returned at unit {}", p.returned_unit));
      } else if (!ensure_worker(&err)) {
        // Without a worker nothing of this language can run. As when a unit
        // of a batch fails in the worker: under stop, the first unit carries
        // the error and the rest are skipped naming it (the same events
        // whether the units came in one batch or one by one).
        for (auto &u : batch) {
          if (stopped_) {
            skip(u, stopped_why_);
            continue;
          }
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
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      busy_ = false;
      // Units that could not run (worker lost before the dispatch) go back to the front.
      while (!batch.empty()) {
        Item it;
        it.fence = batch.back().fence;
        it.unit = std::move(batch.back());
        queue_.push_front(std::move(it));
        batch.pop_back();
      }
    }
    cv_.notify_all();
  }
}

void Executor::skip(const Unit &u, const std::string &why) {
  Result r;
  r.unit_id = u.id;
  r.status = Status::Skipped;
  r.note = why;
  finish_unit(u, r);
}

void Executor::skip_all(std::deque<Unit> &batch, const std::string &why) {
  for (const auto &u : batch) skip(u, why);
  batch.clear();
}

void Executor::finish_unit(const Unit &u, Result &r) {
  if (r.t_finished_ms == 0) r.t_finished_ms = s_.now_ms();
  Program &p = programs_[u.fence];
  bool failed = r.status != Status::Ok && r.status != Status::Skipped && r.status != Status::Cut;
  if (failed && !p.failed && !(r.has_exit_code && !r.signal)) {
    // An exit with a status is how the program ended, not a failure of it.
    p.failed = true;
    p.failure = r;
    p.failure_unit = u.id;
  }
  Event e;
  e.kind = EventKind::UnitDone;
  e.unit_id = u.id;
  e.lang = lang_;
  e.result = r;
  s_.record_result(u, r);
  if (failed) s_.note_failure();
  s_.emit(e);
  if (failed) {
    std::string why = r.has_error ? fmt::format("{} unit {} failed: {}: {}", lang_name(lang_), u.id,
                                                r.error.type, r.error.message)
                                  : fmt::format("{} unit {} {}", lang_name(lang_), u.id, status_name(r.status));
    if (s_.config().on_error == OnError::Stop && !stopped_) {
      stopped_ = true;
      stopped_why_ = fmt::format("skipped: an earlier {} unit ({}) failed", lang_name(lang_), u.id);
    }
    s_.advise_stop(lang_, u.id, why);
  }
}

void Executor::out_of_session_time() {
  stopped_ = true;
  stopped_why_ =
      fmt::format("skipped: the session's total time limit of {:.3g} s ran out", s_.config().session_timeout_s);
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

Executor::Wait Executor::next_frame(nlohmann::json *f, double *deadline, bool *interrupted, Result *cur, bool woken) {
  const auto &cfg = s_.config();
  for (;;) {
    // Waits beyond INT_MAX ms (unit_timeout_s = 1e9 or INFINITY: "no limit")
    // are done in steps: casting them to int would be undefined.
    // An interrupt asked for the unit in flight (interrupt()): SIGINT now,
    // and the grace period before the worker is killed.
    if (interrupt_gen_.load() == flight_gen_.load() && !*interrupted && cur->t_started_ms > 0 &&
        interrupt_signal(lang_) != 0) {
      interrupt_gen_.store(0);
      worker_->signal(interrupt_signal(lang_));
      *interrupted = true;
      user_interrupt_ = true;
      *deadline = s_.now_ms() + cfg.interrupt_grace_ms;
    }
    double until = std::min(*deadline, s_.deadline_ms());
    // Waits are cut in steps of kInterruptPollMs so that an interrupt is
    // acted on at once.
    int wait = kInterruptPollMs;
    if (std::isfinite(until))
      wait = static_cast<int>(std::clamp(until - s_.now_ms() + 1, 0.0, static_cast<double>(kInterruptPollMs)));
    auto rd = worker_->recv(f, wait, woken ? wake_fd_ : -1);
    if (rd == WorkerProcess::Read::Woken) return Wait::Woken;
    if (rd == WorkerProcess::Read::Frame) {
      if (f->value("op", "") == "fatal") {  // the worker says why it is about to end
        fatal_ = f->value("message", "");
        continue;
      }
      return Wait::Frame;
    }
    if (rd == WorkerProcess::Read::Closed) {
      worker_->reap_or_kill(kDeathGraceMs);
      if (!worker_->violation().empty())  // killed by us: it broke the protocol
        fatal_ = fmt::format("protocol violation by the {} worker: {}; worker killed", lang_name(lang_),
                             worker_->violation());
      return Wait::Died;
    }
    bool session_over = s_.out_of_time();
    if (!session_over && s_.now_ms() < *deadline) continue;  // a step of a long wait
    if (!session_over && !*interrupted && interrupt_signal(lang_) != 0) {
      worker_->signal(interrupt_signal(lang_));
      *interrupted = true;
      *deadline = s_.now_ms() + cfg.interrupt_grace_ms;
      continue;
    }
    worker_->kill_and_reap();
    cur->has_error = true;
    if (user_interrupt_ && !session_over) {
      cur->status = Status::Interrupted;
      cur->error.type = "Interrupted";
      cur->error.message = fmt::format("interrupted on request and still running after {:.3g} s; worker killed",
                                       cfg.interrupt_grace_ms / 1000);
    } else if (session_over) {
      out_of_session_time();
      cur->status = Status::Limit;
      cur->error.type = "SessionTimeLimit";
      cur->error.message = fmt::format(
          "the session's total time limit of {:.3g} s ran out while this unit ran; "
          "worker killed",
          cfg.session_timeout_s);
    } else {
      cur->status = Status::Timeout;
      cur->error.type = "Timeout";
      cur->error.message =
          fmt::format("unit exceeded the {:.3g} s wall-clock limit{}", cfg.unit_timeout_s,
                      *interrupted ? " and did not stop when interrupted; worker killed" : "; worker killed");
    }
    return Wait::TimedOut;
  }
}

void Executor::displays(const nlohmann::json &f, std::int64_t unit_id) {
  if (!f.contains("displays")) return;
  for (const auto &b : f["displays"]) {
    Event e;
    e.kind = EventKind::Display;
    e.unit_id = unit_id;
    e.lang = lang_;
    for (const auto &[type, data] : b.items()) e.mime.emplace_back(type, data);
    s_.emit(e);
  }
}

void Executor::output_frame(const nlohmann::json &f, Result *cur, std::int64_t cur_id) {
  const auto &cfg = s_.config();
  std::int64_t id = f.value("id", std::int64_t{-1});
  std::string stream = f.value("stream", "stdout");
  std::string text = f.value("text", "");
  // The output cap applies to what the current unit prints; output of
  // another unit (a callback of an earlier unit) is passed on as it comes.
  if (id == cur_id && cur) {
    std::string &acc = stream == "stderr" ? cur->stderr_text : cur->stdout_text;
    std::size_t total = cur->stdout_text.size() + cur->stderr_text.size();
    if (total >= cfg.output_cap_bytes) return;  // marker already sent
    if (total + text.size() >= cfg.output_cap_bytes) {
      text.resize(proto::utf8_prefix(text, cfg.output_cap_bytes - total));
      text += fmt::format("\n[streamexec: output of unit {} truncated at {} bytes]\n", id, cfg.output_cap_bytes);
    }
    acc += text;
  }
  Event e;
  e.kind = EventKind::Output;
  e.unit_id = id;
  e.lang = lang_;
  e.stream = stream;
  e.text = std::move(text);
  s_.emit(e);
}

double Executor::started_at(const nlohmann::json &started, double t_disp) const {
  double now = s_.now_ms();
  // The worker's own stamp (steady_clock: CLOCK_MONOTONIC, one clock for the
  // machine's processes): the trip back to the host is reporting, not
  // dispatch. Not trusted beyond the window it can be in.
  auto it = started.find("t_mono_ms");
  if (it == started.end() || !it->is_number()) return now;
  double age = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count() -
               it->get<double>();
  return std::isfinite(age) ? std::clamp(now - age, std::min(t_disp, now), now) : now;
}

nlohmann::json Executor::exec_message(const std::deque<Unit> &units, int fence) const {
  nlohmann::json msg = {{"op", "exec"}, {"stop_on_error", s_.config().on_error == OnError::Stop}, {"program", fence}};
  auto &list = msg["units"] = nlohmann::json::array();
  for (const auto &u : units)
    list.push_back({{"id", u.id}, {"code", u.code}, {"lead", u.lead}, {"line", u.begin.line}, {"col", u.begin.col}});
  return msg;
}

void Executor::dispatch(std::deque<Unit> &batch) {
  const auto &cfg = s_.config();
  const int fence = batch.front().fence;
  Program &p = programs_[fence];
  double t_disp = s_.now_ms();
  std::map<std::int64_t, double> sent_at;  // the units sent behind the batch (send_followers)
  cut_sent_.store(false);                  // a cut before this dispatch came before these units were taken
  if (!worker_->send(exec_message(batch, fence))) {
    worker_->reap_or_kill(kDeathGraceMs);
    lose_worker(fmt::format("{} worker died before the dispatch ({})", lang_name(lang_),
                            worker_->exit_description()));
    return;  // units stay in the batch and are retried on the new worker
  }
  p.ran = true;
  // Results come back in order; `batch.front()` is always the unit in flight.
  Result cur;
  bool started = false, interrupted = false;
  // The unit's deadline; before its "started" frame it counts from the
  // dispatch (or the previous unit's end), so a worker that never starts a
  // unit cannot block the host either.
  double deadline = t_disp + cfg.unit_timeout_s * 1000;
  while (!batch.empty()) {
    Unit &u = batch.front();
    if (!started) {
      cur = Result{};
      cur.unit_id = u.id;
      auto sent = sent_at.find(u.id);
      cur.t_dispatched_ms = sent == sent_at.end() ? t_disp : sent->second;
    }
    nlohmann::json f;
    Wait w = next_frame(&f, &deadline, &interrupted, &cur, true);
    if (w == Wait::Woken) {
      if (cut_sent_.exchange(false)) {
        // The answer was cut: the units sent that have not started are
        // skipped, as queued ones are (the worker says "skipped", reason "cut").
        nlohmann::json ids = nlohmann::json::array();
        for (const auto &b : batch)
          if (!started || b.id != u.id) ids.push_back(b.id);
        if (!ids.empty()) worker_->send({{"op", "cut"}, {"units", ids}});
      }
      send_followers(batch, p, &sent_at);
      continue;
    }
    if (w != Wait::Frame) {
      if (w == Wait::Died) {
        std::string how = worker_->exit_description();
        cur.status = Status::Crashed;
        cur.has_error = true;
        cur.error.type = fatal_.empty() ? "WorkerCrashed" : "WorkerError";
        cur.error.message = fatal_.empty()
                                ? fmt::format("the {} worker {} while running this unit", lang_name(lang_), how)
                                : fatal_;
        cur.signal = worker_->term_signal();
        cur.has_exit_code = worker_->exit_code() >= 0;
        cur.exit_code = std::max(0, worker_->exit_code());
      }
      Unit dead = std::move(u);
      batch.pop_front();
      finish_unit(dead, cur);
      Result how = cur;
      program_ended(p, &dead, how, batch);
      if (w == Wait::Died) {
        lose_worker(fmt::format("{} worker {}", lang_name(lang_), fatal_.empty() ? worker_->exit_description() : fatal_));
      } else {
        lose_worker(fmt::format("{} worker killed after a{}", lang_name(lang_),
                                cur.status == Status::Limit         ? " session time-out"
                                : cur.status == Status::Interrupted ? "n interrupt it did not stop at"
                                                                    : " timeout"));
      }
      return;
    }
    std::string op = f.value("op", "");
    std::int64_t id = f.value("id", std::int64_t{-1});
    if (op == "started" && id == u.id) {
      started = true;
      cur.t_started_ms = started_at(f, t_disp);
      deadline = cur.t_started_ms + cfg.unit_timeout_s * 1000;
      Event e;
      e.kind = EventKind::UnitStarted;
      e.unit_id = u.id;
      e.lang = lang_;
      s_.emit(e);
    } else if (op == "output") {
      output_frame(f, &cur, u.id);
    } else if (op == "done" && id == u.id) {
      cur.status = parse_status(f.value("status", "error"));
      cur.exec_ms = f.value("exec_ms", 0.0);
      if (f.contains("value")) {
        // A value counts toward the unit's output cap, with what it printed.
        cur.has_value = true;
        cur.value_repr = f["value"].get<std::string>();
        std::size_t printed = cur.stdout_text.size() + cur.stderr_text.size();
        std::size_t room = printed < cfg.output_cap_bytes ? cfg.output_cap_bytes - printed : 0;
        if (cur.value_repr.size() > room) {
          cur.value_repr.resize(proto::utf8_prefix(cur.value_repr, room));
          cur.value_repr += fmt::format("\n[streamexec: value cut: the unit's output cap of {} bytes (output and "
                                        "value together) was reached]",
                                        cfg.output_cap_bytes);
        }
      }
      if (f.contains("error")) {
        cur.has_error = true;
        cur.error = error_of(f["error"]);
      }
      if (f.contains("value_mime"))
        for (const auto &[type, data] : f["value_mime"].items()) cur.value_mime.emplace_back(type, data);
      displays(f, u.id);
      bool exited = f.contains("exit_code");
      if (exited) {
        cur.has_exit_code = true;
        cur.exit_code = f["exit_code"].get<int>();
      }
      if (interrupted && user_interrupt_) {
        cur.status = Status::Interrupted;
        cur.has_error = true;
        if (cur.error.type.empty()) cur.error.type = "Interrupted";
        if (cur.error.message.empty()) cur.error.message = "interrupted on request";
      } else if (interrupted) {
        cur.status = Status::Timeout;
        cur.has_error = true;
        cur.error.type = "Timeout";
        cur.error.message =
            fmt::format("unit exceeded the {:.3g} s wall-clock limit and was interrupted", cfg.unit_timeout_s);
      }
      Unit done = std::move(u);
      batch.pop_front();
      started = interrupted = user_interrupt_ = false;
      next_in_flight();
      deadline = s_.now_ms() + cfg.unit_timeout_s * 1000;
      p.last_unit = done.id;
      if (f.value("defines_main", false) && cur.status == Status::Ok) {
        // C++: the unit is compiled; `main` runs at the end of the program,
        // and the unit's result is that run's.
        cur.t_finished_ms = s_.now_ms();
        p.main_pending = true;
        p.main_unit = std::move(done);
        p.main_result = cur;
        continue;
      }
      if (f.value("returned", false)) p.returned_unit = done.id;
      finish_unit(done, cur);
      if (exited && !p.ended) {
        // sys.exit(), process.exit(): the worker skips the rest of the batch
        // ("not_reached"); later batches of the program are skipped here.
        p.ended = true;
        p.ending = cur;
        p.ending_unit = cur.unit_id;
      }
    } else if (op == "skipped" && id == u.id) {
      cur.status = Status::Skipped;
      std::string reason = f.value("reason", "");
      if (reason == "cut") p.cut = true;
      cur.note = reason == "cut"                      ? kCutNote
                 : reason == "not_reached" && p.ended ? not_reached_note(p)
                 : reason == "not_reached" && p.returned_unit >= 0
                     ? fmt::format("not reached: the program's top level returned at unit {}", p.returned_unit)
                 : stopped_why_.empty() ? "skipped after an earlier failure in the batch"
                                        : stopped_why_;
      Unit skipped = std::move(u);
      batch.pop_front();
      next_in_flight();
      finish_unit(skipped, cur);
    } else if (op == "program_done" && f.value("early", false)) {
      // The program's own process (C++) ended while this unit was pending
      // or running: exit(), a crash, or killed on interrupt.
      Result how = program_outcome(f, interrupted, "while running this unit");
      Unit cut = std::move(u);
      batch.pop_front();
      if (started) {
        cur.status = how.status;
        cur.has_exit_code = how.has_exit_code;
        cur.exit_code = how.exit_code;
        cur.signal = how.signal;
        cur.has_error = how.has_error;
        cur.error = how.error;
        if (!how.has_error) cur.note = "the program exited with code 0";
        finish_unit(cut, cur);
        program_ended(p, &cut, how, batch);
      } else {
        program_ended(p, &cut, how, batch);
        p.ending_unit = p.last_unit;
        std::deque<Unit> one;
        one.push_back(std::move(cut));
        skip_all(one, not_reached_note(p));
      }
      started = interrupted = user_interrupt_ = false;
      return;
    }
  }
}

void Executor::take_front(std::set<std::string> *defs, std::deque<Unit> *out) {
  defs->insert(queue_.front().unit.defines.begin(), queue_.front().unit.defines.end());
  out->push_back(std::move(queue_.front().unit));
  queue_.pop_front();
}

void Executor::take_batchable(int fence, std::set<std::string> *defs, std::deque<Unit> *out) {
  while (runnable_front() && queue_.front().kind == Item::Kind::Unit && !queue_.front().cut &&
         queue_.front().fence == fence &&
         (lang_ != Lang::JavaScript || missing_names(queue_.front().unit, *defs).empty()))
    take_front(defs, out);
}

// Follow-on dispatch. A unit that closes while the worker runs a batch of
// its program (a model writes faster than units run, or a long unit) used to
// wait for the batch's end: the worker's last reply, read by the host, and
// the next dispatch — a round trip through the supervisor, which on a busy
// machine waits for a time slice at every hop (the p99 of dispatch latency
// at 8 sessions on 2 cores was 19 ms). Now it is sent at once, behind the
// batch: the worker starts it when the batch is done. It is what dynamic
// batching would have done had the unit closed before the dispatch, and so
// under the same rules: only units of the batch's program, not held by the
// gate, JavaScript ones whose names are defined; none once the policy
// stopped the language or the program ended or returned; none with
// batching off. A unit of it that fails under stop makes the worker skip
// the rest of the program's units (interpreter.cpp), as within a batch; the
// supervisor queues the units of an exec that comes while units run.
void Executor::send_followers(std::deque<Unit> &batch, Program &p, std::map<std::int64_t, double> *sent_at) {
  // Not C++: a C++ program runs in a process of its own, forked from the
  // worker's, which reads the worker's messages while it lives; when it ends
  // early (exit(), a crash) no one knows which follow-on units it had read.
  if (lang_ == Lang::Cpp || !s_.config().batching || batch.empty() || stopped_ || p.ended || p.returned_unit >= 0 ||
      s_.out_of_time())
    return;
  const int fence = batch.front().fence;
  std::deque<Unit> more;
  {
    std::lock_guard<std::mutex> lk(mu_);
    std::set<std::string> defs;
    if (!shutdown_) take_batchable(fence, &defs, &more);
    if (lang_ == Lang::JavaScript)
      for (const auto &u : more) note_defined(u);
  }
  if (more.empty()) return;
  // A send that fails (the worker died) is seen at the next read: the
  // units are then the batch's, as if sent with it.
  worker_->send(exec_message(more, fence));
  double t = s_.now_ms();
  for (auto &u : more) {
    (*sent_at)[u.id] = t;
    batch.push_back(std::move(u));
  }
}

}  // namespace sx
