// A streaming-execution session: router + chunkers feed closed units to one
// executor per language (docs/DESIGN.md §5). This is the C++ core behind the C API.
#ifndef STREAMEXEC_SCHEDULER_SESSION_H
#define STREAMEXEC_SCHEDULER_SESSION_H

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/worker_client.h"
#include "frontend/router/router.h"
#include "ir/ir.h"

namespace sx {

class Executor;

enum class GateDecision { Run, Hold, Skip };

struct SessionConfig {
  bool markdown = true;
  Lang raw_lang = Lang::Python;
  bool execute = true;             // false: only chunk (no workers)
  std::vector<Lang> prestart;      // workers started with the session (default: see Session())
  bool stop_on_error = true;       // policy after an error: stop the language or continue
  bool batching = true;            // dispatch everything waiting in one message
  bool hold_until_finish = false;  // gate: run nothing before the end of the stream (serial mode)
  double unit_timeout_ms = 30000;
  double session_timeout_ms = 0;     // whole session from creation; 0 = none
  double interrupt_grace_ms = 2000;  // after an interrupt, before the worker is killed
  std::size_t output_cap_bytes = 8u << 20;  // per unit; the rest is dropped with a marker
  WorkerLimits limits;
  WorkerSandbox sandbox;           // environment, network, writable directories
  std::string worker_dir;          // where streamexec-worker-<lang> live
  // Called for every event, never concurrently (one event at a time), from
  // the feeding thread or an executor thread.
  std::function<void(const Event &)> on_event;
  // Gate policy, evaluated on the feeding thread for each closed unit.
  std::function<GateDecision(const Unit &, std::string *reason)> gate;
};

class Session : private RouterSink {
 public:
  explicit Session(SessionConfig cfg);
  ~Session() override;
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  // Returns true if a stop has been advised (an error occurred in this answer).
  bool feed(std::string_view bytes);
  // End of the answer: flushes open units, runs held ones, waits for every
  // unit and program end of the answer, emits answer_done. The workers and
  // their state stay for the next answer.
  // Returns true if a stop was advised in the answer (as feed()).
  bool answer_end();
  // The model was stopped: the unit being written (and any unit not yet
  // certain to be complete) is dropped with status cut, queued units not
  // started are skipped, open programs end as cut ones; then as answer_end.
  bool answer_cut();
  // Interrupts what runs now in every language (Executor::interrupt).
  void interrupt();
  // Last answer, then session_done: answer_end() unless the answer is empty
  // after an earlier answer ended. Returns as answer_end (false if no answer
  // was left to end).
  bool finish();
  int answer() const { return answer_; }
  bool stop_advised() const { return failed_.load() || stop_advised_.load(); }
  bool finished() const { return finished_; }

  // --- used by executors ---
  double now_ms() const;
  void emit(Event &e);  // stamps t_ms if unset
  void advise_stop(Lang lang, std::int64_t unit_id, const std::string &why);
  // A unit failed: SX_STOP from now on. Called before the failure's event is
  // emitted, so that a caller who sees it gets SX_STOP at its next feed
  // (advise_stop's event comes after the failure's).
  void note_failure() { failed_ = true; }
  void record_result(const Unit &u, const Result &r);
  // A program's end: its result, and the execution it took after its last
  // unit (the event loop, atexit handlers; C++ main counts in its unit), which
  // could not start before `t_ready_ms` (its text complete, its units run).
  void record_program(Lang lang, const Result &r, double t_ready_ms, double end_exec_ms);
  const SessionConfig &config() const { return cfg_; }
  // The session's total time limit, in now_ms() time (infinity if none).
  double deadline_ms() const;
  bool out_of_time() const { return now_ms() >= deadline_ms(); }

 private:
  void on_unit(Unit &&u) override;
  void on_syntax_error(SyntaxError &&e) override;
  void on_fence_skipped(int fence, const std::string &info, Pos at, const std::string &why) override;
  void on_fence_open(Lang lang) override;
  void on_program_end(Lang lang, int fence) override;
  Executor *executor_for(Lang lang);
  double first_byte_time(std::uint64_t offset);
  bool end_answer(bool cut);
  int program_of(int fence);
  void report_cut(const Unit &u);  // the answer's fence -> the session's program number
  Report compute_report(int answer);  // -1: the whole session

  SessionConfig cfg_;
  std::chrono::steady_clock::time_point t_created_;
  std::chrono::steady_clock::time_point t0_;  // first feed (stream start)
  bool started_ = false;
  bool finished_ = false;
  double t_end_stream_ms_ = 0;
  // Answers: the index of the one being fed, whether it has bytes, when it
  // started, its cut in progress, and the numbering of programs (fences of
  // earlier answers come first; raw mode: one program per answer).
  int answer_ = 0;
  bool answer_fed_ = false;
  bool cutting_ = false;
  double t_answer_ms_ = 0;
  int fence_base_ = 0, fences_seen_ = 0;
  std::unique_ptr<Router> router_;
  std::map<Lang, std::unique_ptr<Executor>> executors_;
  std::atomic<bool> stop_advised_{false};
  std::atomic<bool> failed_{false};  // of this answer (note_failure)
  std::int64_t next_id_ = 0;
  std::recursive_mutex emit_mu_;
  // (answer offset of a feed() call's first byte, its time): to timestamp
  // each unit's first byte. Pruned as units close.
  std::deque<std::pair<std::uint64_t, double>> feed_times_;
  std::uint64_t fed_ = 0;

  struct Record {
    enum class Kind { Unit, ProgramEnd, SyntaxError, Program } kind;
    int answer;
    Lang lang;
    double t_closed_ms, exec_ms, t_finished_ms;
    Status status;
  };
  std::mutex rec_mu_;
  std::vector<Record> records_;
  // (answer, t_gen_ms of the answer measured from its own start, its start)
  struct AnswerTimes {
    double t_start_ms, t_end_ms;
  };
  std::vector<AnswerTimes> answer_times_;
};

}  // namespace sx

#endif
