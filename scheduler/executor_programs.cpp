// The end of a program (docs/DESIGN.md §6a): what a native run does after
// its last statement (C++ main, the JavaScript event loop, Python's atexit),
// how a program ended (exit status, signal, failure, cut) and its
// program_done event.
#include "scheduler/executor.h"

#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "scheduler/executor_internal.h"

namespace sx {

using namespace executor_detail;

std::string Executor::not_reached_note(const Program &p) const {
  return fmt::format("not reached: the program ended at unit {} ({})", p.ending_unit, exit_words(p.ending));
}

void Executor::program_ended(Program &p, const Unit *u, const Result &how, std::deque<Unit> &batch) {
  if (!p.ended) {
    p.ended = true;
    p.ending = how;
    p.ending_unit = u ? u->id : p.last_unit;
  }
  if (!batch.empty()) skip_all(batch, stopped_ ? stopped_why_ : not_reached_note(p));
}

// How a program ended, from the worker's program_done frame: its exit code
// or signal; a signal after our interrupt is the time limit; a signal is a
// crash; a nonzero exit code an error.
Result Executor::program_outcome(const nlohmann::json &f, bool interrupted, const char *during) const {
  const auto &cfg = s_.config();
  Result how;
  how.status = parse_status(f.value("status", "ok"));
  if (f.contains("exit_code")) {
    how.has_exit_code = true;
    how.exit_code = f["exit_code"].get<int>();
  }
  how.signal = f.value("signal", 0);
  if (f.contains("error")) {
    how.has_error = true;
    how.error = error_of(f["error"]);
  }
  how.note = f.value("note", "");
  if (f.contains("unit")) how.unit_id = f["unit"].get<std::int64_t>();
  auto fail = [&](Status st, const char *type, std::string message) {
    how.status = st;
    how.has_error = true;
    how.error = ErrorInfo{};
    how.error.type = type;
    how.error.message = std::move(message);
  };
  if (interrupted && user_interrupt_ && (how.signal || how.status != Status::Ok)) {
    fail(Status::Interrupted, "Interrupted",
         fmt::format("interrupted on request {}{}", during,
                     how.signal ? "; the program's process was killed (the state from before the program is kept)"
                                : ""));
  } else if ((f.value("interrupted", false) || interrupted) && how.signal) {
    fail(Status::Timeout, "Timeout",
         fmt::format("exceeded the {:.3g} s wall-clock limit {}; the program's process was killed (the state "
                     "from before the program is kept)",
                     cfg.unit_timeout_s, during));
  } else if (how.signal && how.status != Status::Timeout) {
    if (!how.has_error)
      fail(Status::Crashed, "ProgramCrashed",
           fmt::format("the program was {} {} (the state from before the program is kept)", exit_words(how),
                       during));
    how.status = Status::Crashed;
  } else if (how.has_exit_code && how.exit_code != 0 && how.status != Status::Timeout) {
    if (!how.has_error) fail(Status::Error, "Exit", fmt::format("the program exited with code {}", how.exit_code));
    how.status = Status::Error;
  }
  return how;
}

Result Executor::failure_outcome(const Program &p) const {
  const Result &f = p.failure;
  Result r;
  r.unit_id = p.failure_unit;
  r.has_error = f.has_error;
  r.error = f.error;
  r.status = f.status == Status::Skipped ? Status::Error : f.status;
  bool cpp = lang_ == Lang::Cpp;
  switch (f.status) {
    case Status::Crashed:
      r.signal = f.signal;
      r.has_exit_code = f.has_exit_code && !f.signal;
      r.exit_code = f.exit_code;
      break;
    case Status::SyntaxError:
      r.status = Status::Error;
      if (!cpp) {
        r.has_exit_code = true;
        r.exit_code = 1;
      }
      r.note = fmt::format("unit {} has a syntax error: a native run would not start", p.failure_unit);
      break;
    case Status::Error:
      if (cpp && (f.error.type == "CompileError" || f.error.type == "LinkError")) {
        r.note = fmt::format("unit {} does not compile: a native build would fail", p.failure_unit);
      } else if (cpp) {
        // An exception escaping a unit: a native run calls std::terminate.
        r.status = Status::Crashed;
        r.signal = SIGABRT;
        r.note = fmt::format("uncaught exception in unit {}: a native run calls std::terminate", p.failure_unit);
      } else {
        r.has_exit_code = true;
        r.exit_code = 1;
        r.note = fmt::format("unit {} raised {}", p.failure_unit, f.error.type);
      }
      break;
    case Status::Cut:
      r.note = fmt::format("the answer was cut while the program was being written{}",
                           lang_ == Lang::Cpp ? ": main() not run, nothing of the program is kept"
                           : lang_ == Lang::JavaScript ? ": its event loop does not run"
                                                       : "");
      break;
    default:
      break;
  }
  return r;
}

void Executor::emit_program_done(int fence, Program &p, Result r, double end_exec_ms) {
  if (p.done) return;
  p.done = true;
  Event e;
  e.kind = EventKind::ProgramDone;
  e.lang = lang_;
  e.unit_id = r.unit_id;
  e.unit.fence = fence;
  r.t_finished_ms = s_.now_ms();
  e.result = r;
  s_.record_program(lang_, r, end_ready_ms_, end_exec_ms);
  if (r.status != Status::Ok && r.status != Status::Skipped && r.status != Status::Cut) s_.note_failure();
  s_.emit(e);
  if (r.status != Status::Ok && r.status != Status::Skipped && r.status != Status::Cut)
    s_.advise_stop(lang_, r.unit_id,
                   fmt::format("{} program ({}) ended: {}{}{}", lang_name(lang_),
                               fence < 0 ? std::string("the stream") : fmt::format("fence {}", fence), exit_words(r),
                               r.has_error ? ": " : "", r.has_error ? r.error.type + ": " + r.error.message : ""));
}

void Executor::run_end(int fence, double t_ready_ms) {
  const auto &cfg = s_.config();
  end_ready_ms_ = t_ready_ms;
  Program &p = programs_[fence];
  if (p.done) return;
  Result r;
  r.unit_id = p.main_pending ? p.main_unit.id : p.ended ? p.ending_unit : p.last_unit;
  if (p.cut) {
    // The answer was cut while the program was being written: it ends
    // where it was cut, as a run that stopped there (C++ main is not run
    // and nothing of the program is kept; no JavaScript event loop turn).
    if (p.main_pending) {
      Result m = p.main_result;
      m.status = Status::Cut;
      m.note = "main() not run: the answer was cut";
      p.main_pending = false;
      finish_unit(p.main_unit, m);
    }
    if (!p.failed) {
      p.failed = true;
      p.failure = Result{};
      p.failure.status = Status::Cut;
      p.failure_unit = r.unit_id;
    }
    if (!p.ran || p.ended || !worker_) {
      Result how = failure_outcome(p);
      how.unit_id = r.unit_id;
      emit_program_done(fence, p, how);
      return;
    }
  }
  if (!p.seen) {  // a program without units: nothing to run
    r.has_exit_code = true;
    emit_program_done(fence, p, r);
    return;
  }
  if (!p.ran || (stopped_ && !p.ended && !p.failed)) {
    r.status = Status::Skipped;
    r.note = stopped_why_.empty() ? "no unit of the program ran" : stopped_why_;
    emit_program_done(fence, p, r);
    return;
  }
  auto finish_main = [&](const Result &how) {
    if (!p.main_pending) return;
    p.main_pending = false;
    Result m = p.main_result;
    m.status = how.status;
    m.has_exit_code = how.has_exit_code;
    m.exit_code = how.exit_code;
    m.signal = how.signal;
    if (how.has_error) {
      m.has_error = true;
      m.error = how.error;
    }
    m.exec_ms += how.exec_ms;
    m.end_ms = how.exec_ms;
    m.t_finished_ms = 0;
    finish_unit(p.main_unit, m);
  };
  if (p.ended || !worker_) {
    if (p.main_pending) {
      Result skipped = p.main_result;
      skipped.status = Status::Skipped;
      skipped.note = p.ended ? "main() not reached: " + not_reached_note(p) : "main() not run: the worker was lost";
      p.main_pending = false;
      finish_unit(p.main_unit, skipped);
    }
    Result how = p.failed ? failure_outcome(p) : p.ending;
    how.unit_id = r.unit_id;
    emit_program_done(fence, p, how);
    return;
  }

  // The worker runs the program's end: C++ main, the JavaScript event loop,
  // Python's atexit handlers.
  nlohmann::json msg = {{"op", "end_program"}, {"program", fence}, {"unit", r.unit_id}, {"failed", p.failed}};
  double t0 = s_.now_ms();
  if (!worker_->send(msg)) {
    worker_->reap_or_kill(kDeathGraceMs);
    Result how;
    how.unit_id = r.unit_id;
    how.status = Status::Crashed;
    how.has_error = true;
    how.error.type = "WorkerCrashed";
    how.error.message = fmt::format("the {} worker {} before the program's end", lang_name(lang_),
                                    worker_->exit_description());
    finish_main(how);
    lose_worker(fmt::format("{} worker {}", lang_name(lang_), worker_->exit_description()));
    emit_program_done(fence, p, how);
    return;
  }
  double deadline = t0 + cfg.unit_timeout_s * 1000;
  bool interrupted = false;
  Result how;
  how.unit_id = r.unit_id;
  how.t_started_ms = t0;  // interruptible from now on
  next_in_flight();
  struct ResetInterrupt {
    Executor *ex;
    ~ResetInterrupt() {
      ex->user_interrupt_ = false;
      ex->next_in_flight();
    }
  } reset_interrupt{this};
  for (;;) {
    nlohmann::json f;
    Wait w = next_frame(&f, &deadline, &interrupted, &how);
    if (w == Wait::Died) {
      how.status = Status::Crashed;
      how.has_error = true;
      how.error.type = fatal_.empty() ? "WorkerCrashed" : "WorkerError";
      how.error.message = fatal_.empty() ? fmt::format("the {} worker {} at the end of the program", lang_name(lang_),
                                                       worker_->exit_description())
                                         : fatal_;
      how.signal = worker_->term_signal();
      how.has_exit_code = worker_->exit_code() >= 0;
      how.exit_code = std::max(0, worker_->exit_code());
      how.exec_ms = s_.now_ms() - t0;
      finish_main(how);
      lose_worker(fmt::format("{} worker {}", lang_name(lang_), fatal_.empty() ? worker_->exit_description() : fatal_));
      emit_program_done(fence, p, how);
      return;
    }
    if (w == Wait::TimedOut) {
      how.exec_ms = s_.now_ms() - t0;
      finish_main(how);
      lose_worker(fmt::format("{} worker killed after a timeout at the end of a program", lang_name(lang_)));
      emit_program_done(fence, p, how);
      return;
    }
    std::string op = f.value("op", "");
    if (op == "output") {
      output_frame(f, nullptr, -1);
    } else if (op == "program_done") {
      displays(f, how.unit_id);
      std::int64_t about = how.unit_id;
      how = program_outcome(f, interrupted, "at the program's end");
      if (how.unit_id < 0) how.unit_id = about;
      how.exec_ms = s_.now_ms() - t0;
      break;
    }
  }
  bool failed_before = p.failed;  // (main's own failure is `how`)
  double end_exec = p.main_pending ? 0 : how.exec_ms;  // main's run counts in its unit
  finish_main(how);
  emit_program_done(fence, p, failed_before ? failure_outcome(p) : how, end_exec);
}

}  // namespace sx
