#include "scheduler/session.h"

#include <algorithm>
#include <csignal>
#include <limits>

#include <fmt/format.h>

#include "scheduler/executor.h"

namespace sx {

namespace {
RouterConfig router_config(const SessionConfig &cfg) {
  RouterConfig rc;
  rc.mode = cfg.mode;
  rc.lang = cfg.lang;
  return rc;
}
}  // namespace

// No process-wide side effects: SIGPIPE from a dead worker's pipe is blocked
// on the executor threads that write to workers (Executor::run), not ignored
// for the whole process.
Session::Session(SessionConfig cfg) : cfg_(std::move(cfg)) {
  t_created_ = t0_ = std::chrono::steady_clock::now();
  RouterConfig rc = router_config(cfg_);
  // Pre-start the workers that will be needed: those asked for, else the raw
  // language, or in markdown mode Python (the common case). Others start as
  // soon as a fence of their language opens, before its first unit closes.
  if (cfg_.execute) {
    if (cfg_.prestart.empty()) cfg_.prestart.push_back(cfg_.mode == Mode::Markdown ? Lang::Python : cfg_.lang);
    for (Lang l : cfg_.prestart) executor_for(l);
  }
  router_ = std::make_unique<Router>(rc, static_cast<RouterSink &>(*this));
}

Session::~Session() {
  executors_.clear();  // joins dispatcher threads, kills workers
}

double Session::now_ms() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
}

double Session::deadline_ms() const {
  if (!(cfg_.session_timeout_s > 0)) return std::numeric_limits<double>::infinity();
  return std::chrono::duration<double, std::milli>(t_created_ - t0_).count() + cfg_.session_timeout_s * 1000;
}

void Session::emit(Event &e) {
  std::lock_guard<std::recursive_mutex> lk(emit_mu_);
  if (e.t_ms == 0) e.t_ms = now_ms();
  // (session_done comes after the last answer_done: it belongs to that answer)
  e.answer = e.kind == EventKind::SessionDone && answer_ > 0 ? answer_ - 1 : answer_;
  if (cfg_.on_event) cfg_.on_event(e);
}

Executor *Session::executor_for(Lang lang) {
  auto it = executors_.find(lang);
  if (it != executors_.end()) return it->second.get();
  auto ex = std::make_unique<Executor>(lang, *this);
  if (finished_) ex->release();
  Executor *p = ex.get();
  executors_.emplace(lang, std::move(ex));
  return p;
}

bool Session::feed(std::string_view bytes) {
  if (!started_) {
    started_ = true;
    t0_ = std::chrono::steady_clock::now();
  }
  if (!answer_fed_) {
    answer_fed_ = true;
    t_answer_ms_ = now_ms();
  }
  if (!bytes.empty()) {
    feed_times_.emplace_back(fed_, now_ms());
    fed_ += bytes.size();
    router_->feed(bytes);
    // Prose: no open unit needs these first-byte times. Without this the
    // list grew by one entry per feed call (16 bytes per 1-byte feed) until
    // the next unit closed, e.g. forever after the last fence.
    if (router_->between_units()) feed_times_.clear();
  }
  return stop_advised();
}

double Session::first_byte_time(std::uint64_t offset) {
  // feed_times_ is sorted by offset; drop entries wholly before `offset`.
  while (feed_times_.size() > 1 && feed_times_[1].first <= offset) feed_times_.pop_front();
  return feed_times_.empty() ? now_ms() : feed_times_.front().second;
}

// A unit that gets a result without running: cut (the unit being written
// when the answer was cut, or one not yet certain to be complete — not an
// error) or refused by the gate.
void Session::report_not_run(const Unit &u, Status status, std::string note, double t_ms) {
  Result r;
  r.unit_id = u.id;
  r.status = status;
  r.note = std::move(note);
  r.t_finished_ms = t_ms;
  record_result(u, r);
  Event e;
  e.kind = EventKind::UnitDone;
  e.unit_id = u.id;
  e.lang = u.lang;
  e.unit = u;
  e.result = r;
  emit(e);
}

void Session::report_cut(const Unit &u) {
  report_not_run(u, Status::Cut, "not run: the answer was cut while this unit was being written", u.t_closed_ms);
}

int Session::program_of(int fence) {
  if (fence < 0) return -1 - answer_;  // raw mode: the answer is the program
  fences_seen_ = std::max(fences_seen_, fence + 1);
  return fence_base_ + fence;
}

void Session::on_unit(Unit &&u) {
  u.id = next_id_++;
  u.t_closed_ms = now_ms();
  u.t_first_byte_ms = first_byte_time(u.begin.offset);
  u.fence = program_of(u.fence);
  if (cutting_) {
    report_cut(u);
    return;
  }
  Event e;
  e.kind = EventKind::UnitClosed;
  e.unit_id = u.id;
  e.lang = u.lang;
  e.t_ms = u.t_closed_ms;
  e.unit = u;
  emit(e);
  if (!cfg_.execute) {
    record_result(u, Result{});
    return;
  }
  GateDecision d = cfg_.serial ? GateDecision::Hold : GateDecision::Run;
  std::string reason = cfg_.serial ? "serial mode: every unit runs after the answer is complete" : "";
  if (cfg_.gate) {
    std::string why;
    GateDecision g = cfg_.gate(u, &why);
    if (g != GateDecision::Run) {
      d = g;
      reason = why.empty() ? (g == GateDecision::Skip ? "refused by the gate" : "held by the gate") : why;
    }
  }
  if (d == GateDecision::Skip) {
    report_not_run(u, Status::Gated, reason, now_ms());
    return;
  }
  if (d == GateDecision::Hold && !cfg_.serial) {
    Event h;
    h.kind = EventKind::UnitHeld;
    h.unit_id = u.id;
    h.lang = u.lang;
    h.text = reason;
    emit(h);
  }
  executor_for(u.lang)->submit(std::move(u), d == GateDecision::Hold);
}

void Session::on_syntax_error(SyntaxError &&se) {
  std::int64_t id = next_id_++;
  se.fence = program_of(se.fence);
  if (cutting_) {
    // Text cut mid-statement does not parse: that is the cut, not the
    // model's error.
    Unit u;
    u.id = id;
    u.lang = se.lang;
    u.fence = se.fence;
    u.code = se.code;
    u.begin = se.unit_begin;
    u.t_closed_ms = now_ms();
    report_cut(u);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(rec_mu_);
    records_.push_back({Record::Kind::SyntaxError, answer_, se.lang, now_ms(), 0, now_ms(), Status::SyntaxError});
  }
  note_failure();
  Event e;
  e.kind = EventKind::UnitDone;
  e.unit_id = id;
  e.lang = se.lang;
  e.syntax = se;
  e.result.unit_id = id;
  e.result.status = Status::SyntaxError;
  e.result.has_error = true;
  e.result.error.type = "SyntaxError";
  e.result.error.message = se.message;
  e.result.error.line = static_cast<int>(se.at.line);
  e.result.t_finished_ms = now_ms();
  emit(e);
  if (cfg_.execute) executor_for(se.lang)->program_failed(se.fence, e.result);
  advise_stop(se.lang, id,
              fmt::format("{} syntax error at line {}, column {}: {}", lang_name(se.lang), se.at.line,
                          se.at.col + 1, se.message));
}

void Session::on_fence_skipped(int fence, const std::string &info, Pos at, const std::string &why) {
  Event e;
  e.kind = EventKind::FenceSkipped;
  e.unit.fence = program_of(fence);
  e.unit.begin = at;
  e.stream = info;
  e.text = why;
  emit(e);
}

void Session::on_fence_open(Lang lang) {
  if (cfg_.execute) executor_for(lang);
}

void Session::on_program_end(Lang lang, int fence) {
  if (cfg_.execute) executor_for(lang)->end_program(program_of(fence), cutting_);
}

void Session::advise_stop(Lang lang, std::int64_t unit_id, const std::string &why) {
  bool expected = false;
  if (!stop_advised_.compare_exchange_strong(expected, true)) return;  // once per session
  Event e;
  e.kind = EventKind::StopAdvised;
  e.unit_id = unit_id;
  e.lang = lang;
  e.text = why;
  emit(e);
}

void Session::record_result(const Unit &u, const Result &r) {
  std::lock_guard<std::mutex> lk(rec_mu_);
  records_.push_back({Record::Kind::Unit, answer_, u.lang, u.t_closed_ms, r.exec_ms, r.t_finished_ms, r.status});
}

void Session::record_program(Lang lang, const Result &r, double t_ready_ms, double end_exec_ms) {
  std::lock_guard<std::mutex> lk(rec_mu_);
  records_.push_back({Record::Kind::Program, answer_, lang, t_ready_ms, 0, r.t_finished_ms, r.status});
  if (end_exec_ms > 0)
    records_.push_back({Record::Kind::ProgramEnd, answer_, lang, t_ready_ms, end_exec_ms, r.t_finished_ms, Status::Ok});
}

void Session::interrupt() {
  for (auto &[lang, ex] : executors_) ex->interrupt();
}

bool Session::answer_end() { return end_answer(false); }

bool Session::answer_cut(bool skip_queued) { return end_answer(true, skip_queued); }

bool Session::end_answer(bool cut, bool skip_queued) {
  if (finished_) return false;
  if (!started_) {
    started_ = true;
    t0_ = std::chrono::steady_clock::now();
  }
  if (!answer_fed_) t_answer_ms_ = now_ms();
  if (cut) {
    if (skip_queued)
      for (auto &[lang, ex] : executors_) ex->cut();
    cutting_ = true;
  }
  router_->finish();
  cutting_ = false;
  t_end_stream_ms_ = now_ms();
  {
    std::lock_guard<std::mutex> lk(rec_mu_);
    answer_times_.push_back({t_answer_ms_, t_end_stream_ms_});
  }
  for (auto &[lang, ex] : executors_) ex->release();
  for (auto &[lang, ex] : executors_) ex->drain();
  Event e;
  e.kind = EventKind::AnswerDone;
  e.report = compute_report(answer_);
  e.report.was_cut = cut;
  emit(e);
  bool stopped = stop_advised();
  // The next answer: a fresh router (answer lines count from 1 again),
  // program numbers after this answer's, no stop advised, nothing held.
  std::lock_guard<std::recursive_mutex> lk(emit_mu_);
  ++answer_;
  answer_fed_ = false;
  fence_base_ += fences_seen_;
  fences_seen_ = 0;
  feed_times_.clear();
  fed_ = 0;
  stop_advised_ = false;
  failed_ = false;
  router_ = std::make_unique<Router>(router_config(cfg_), static_cast<RouterSink &>(*this));
  for (auto &[lang, ex] : executors_) ex->begin_answer();
  return stopped;
}

bool Session::finish() {
  if (finished_) return false;
  // The last answer, unless it is empty after an earlier one ended.
  bool stopped = (answer_ == 0 || answer_fed_) && end_answer(false);
  finished_ = true;
  for (auto &[lang, ex] : executors_) ex->release();
  for (auto &[lang, ex] : executors_) ex->drain();
  Event e;
  e.kind = EventKind::SessionDone;
  e.report = compute_report(-1);
  for (auto &[lang, ex] : executors_)
    if (SandboxReport sb; ex->sandbox(&sb)) e.report.sandbox.push_back(std::move(sb));
  emit(e);
  return stopped;
}

Report Session::compute_report(int answer) {
  std::lock_guard<std::mutex> lk(rec_mu_);
  Report r;
  // An answer's times count from its own first byte; the session's from the
  // first byte of the first answer to the end of the last.
  double t_start = 0, t_end = t_end_stream_ms_;
  if (answer >= 0 && answer < static_cast<int>(answer_times_.size())) {
    t_start = answer_times_[answer].t_start_ms;
    t_end = answer_times_[answer].t_end_ms;
  }
  r.t_gen_ms = t_end - t_start;
  double last_done = t_end;
  // Physical limit (docs/DESIGN.md §1): per language, units run in stream order and
  // none can start before it closes.
  std::map<Lang, std::vector<const Record *>> by_lang;
  for (const auto &rec : records_) {
    if (answer >= 0 && rec.answer != answer) continue;
    switch (rec.kind) {
      case Record::Kind::SyntaxError: ++r.errors; continue;
      case Record::Kind::Program:
        ++r.programs;
        if (rec.status != Status::Ok && rec.status != Status::Skipped && rec.status != Status::Cut)
          ++r.programs_failed;
        continue;
      case Record::Kind::ProgramEnd:
      case Record::Kind::Unit: break;
    }
    r.t_exec_ms += rec.exec_ms;
    last_done = std::max(last_done, rec.t_finished_ms);
    by_lang[rec.lang].push_back(&rec);
    if (rec.kind == Record::Kind::ProgramEnd) continue;
    ++r.units;
    if (rec.status == Status::Skipped) ++r.skipped;
    else if (rec.status == Status::Cut) ++r.cut;
    else if (rec.status != Status::Ok) ++r.errors;
  }
  double limit = t_end;
  for (auto &[lang, recs] : by_lang) {
    std::stable_sort(recs.begin(), recs.end(), [](auto *a, auto *b) { return a->t_closed_ms < b->t_closed_ms; });
    double t = 0;
    for (auto *rec : recs) t = std::max(t, rec->t_closed_ms) + rec->exec_ms;
    limit = std::max(limit, t);
  }
  r.e2e_ms = last_done - t_start;
  r.serial_e2e_ms = r.t_gen_ms + r.t_exec_ms;
  r.non_overlapped_ms = std::max(0.0, last_done - t_end);
  r.limit_ms = limit - t_start;
  return r;
}

}  // namespace sx
