#include "scheduler/session.h"

#include <algorithm>
#include <csignal>
#include <limits>

#include <fmt/format.h>

#include "scheduler/executor.h"

namespace sx {

Session::Session(SessionConfig cfg) : cfg_(std::move(cfg)) {
  // A worker that dies while we write to its pipe must not kill the host.
  signal(SIGPIPE, SIG_IGN);
  t_created_ = t0_ = std::chrono::steady_clock::now();
  RouterConfig rc;
  rc.markdown = cfg_.markdown;
  rc.raw_lang = cfg_.raw_lang;
  // Pre-start the workers that will be needed: those asked for, else the raw
  // language, or in markdown mode Python (the common case). Others start as
  // soon as a fence of their language opens, before its first unit closes.
  if (cfg_.execute) {
    if (cfg_.prestart.empty()) cfg_.prestart.push_back(cfg_.markdown ? Lang::Python : cfg_.raw_lang);
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
  if (!(cfg_.session_timeout_ms > 0)) return std::numeric_limits<double>::infinity();
  return std::chrono::duration<double, std::milli>(t_created_ - t0_).count() + cfg_.session_timeout_ms;
}

void Session::emit(Event &e) {
  std::lock_guard<std::recursive_mutex> lk(emit_mu_);
  if (e.t_ms == 0) e.t_ms = now_ms();
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
  if (!bytes.empty()) {
    feed_times_.emplace_back(fed_, now_ms());
    fed_ += bytes.size();
    router_->feed(bytes);
    // Prose: no open unit needs these first-byte times. Without this the
    // list grew by one entry per feed call (16 bytes per 1-byte feed) until
    // the next unit closed, e.g. forever after the last fence.
    if (router_->between_units()) feed_times_.clear();
  }
  return stop_advised_.load();
}

double Session::first_byte_time(std::uint64_t offset) {
  // feed_times_ is sorted by offset; drop entries wholly before `offset`.
  while (feed_times_.size() > 1 && feed_times_[1].first <= offset) feed_times_.pop_front();
  return feed_times_.empty() ? now_ms() : feed_times_.front().second;
}

void Session::on_unit(Unit &&u) {
  u.id = next_id_++;
  u.t_closed_ms = now_ms();
  u.t_first_byte_ms = first_byte_time(u.begin.offset);
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
  GateDecision d = cfg_.hold_until_finish ? GateDecision::Hold : GateDecision::Run;
  std::string reason = cfg_.hold_until_finish ? "serial mode: every unit runs after the answer is complete" : "";
  if (cfg_.gate) {
    std::string why;
    GateDecision g = cfg_.gate(u, &why);
    if (g != GateDecision::Run) {
      d = g;
      reason = why.empty() ? (g == GateDecision::Skip ? "refused by the gate" : "held by the gate") : why;
    }
  }
  if (d == GateDecision::Skip) {
    Result r;
    r.unit_id = u.id;
    r.status = Status::Gated;
    r.note = reason;
    r.t_finished_ms = now_ms();
    record_result(u, r);
    Event g;
    g.kind = EventKind::UnitDone;
    g.unit_id = u.id;
    g.lang = u.lang;
    g.result = r;
    emit(g);
    return;
  }
  if (d == GateDecision::Hold && !cfg_.hold_until_finish) {
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
  ++syntax_errors_;
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
  e.unit.fence = fence;
  e.unit.begin = at;
  e.stream = info;
  e.text = why;
  emit(e);
}

void Session::on_fence_open(Lang lang) {
  if (cfg_.execute) executor_for(lang);
}

void Session::on_program_end(Lang lang, int fence) {
  if (cfg_.execute) executor_for(lang)->end_program(fence);
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
  records_.push_back({u.lang, u.t_closed_ms, r.exec_ms, r.t_finished_ms, r.status});
}

void Session::record_program(Lang lang, const Result &r, double t_ready_ms, double end_exec_ms) {
  std::lock_guard<std::mutex> lk(rec_mu_);
  ++programs_;
  if (r.status != Status::Ok && r.status != Status::Skipped) ++programs_failed_;
  if (end_exec_ms > 0) records_.push_back({lang, t_ready_ms, end_exec_ms, r.t_finished_ms, Status::Ok, true});
}

void Session::finish() {
  if (finished_) return;
  if (!started_) {
    started_ = true;
    t0_ = std::chrono::steady_clock::now();
  }
  router_->finish();
  t_end_stream_ms_ = now_ms();
  finished_ = true;
  for (auto &[lang, ex] : executors_) ex->release();
  for (auto &[lang, ex] : executors_) ex->drain();
  Event e;
  e.kind = EventKind::SessionDone;
  e.report = compute_report();
  for (auto &[lang, ex] : executors_)
    if (SandboxReport sb; ex->sandbox(&sb)) e.report.sandbox.push_back(std::move(sb));
  emit(e);
}

Report Session::compute_report() {
  std::lock_guard<std::mutex> lk(rec_mu_);
  Report r;
  r.t_gen_ms = t_end_stream_ms_;
  double last_done = t_end_stream_ms_;
  // Physical limit (DESIGN §1): per language, units run in stream order and
  // none can start before it closes.
  std::map<Lang, std::vector<const Record *>> by_lang;
  for (const auto &rec : records_) {
    r.t_exec_ms += rec.exec_ms;
    last_done = std::max(last_done, rec.t_finished_ms);
    by_lang[rec.lang].push_back(&rec);
    if (rec.program_end) continue;
    ++r.units;
    if (rec.status == Status::Skipped) ++r.skipped;
    else if (rec.status != Status::Ok) ++r.errors;
  }
  r.errors += syntax_errors_;
  r.programs = programs_;
  r.programs_failed = programs_failed_;
  double limit = t_end_stream_ms_;
  for (auto &[lang, recs] : by_lang) {
    std::stable_sort(recs.begin(), recs.end(), [](auto *a, auto *b) { return a->t_closed_ms < b->t_closed_ms; });
    double t = 0;
    for (auto *rec : recs) t = std::max(t, rec->t_closed_ms) + rec->exec_ms;
    limit = std::max(limit, t);
  }
  r.e2e_ms = last_done;
  r.serial_e2e_ms = r.t_gen_ms + r.t_exec_ms;
  r.non_overlapped_ms = std::max(0.0, r.e2e_ms - r.t_gen_ms);
  r.limit_ms = limit;
  return r;
}

}  // namespace sx
