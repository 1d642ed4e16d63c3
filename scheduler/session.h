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
#include "scheduler/executor_host.h"
#include "ir/ir.h"

namespace sx {

class Executor;

class Session : private RouterSink, public ExecutorHost {
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
  // skip_queued false: units already closed still run (a replay ends a
  // recorded stopped round so; its units then give the recorded results).
  bool answer_cut(bool skip_queued = true);
  // Interrupts what runs now in every language (Executor::interrupt).
  void interrupt();
  // Last answer, then session_done: answer_end() unless the answer is empty
  // after an earlier answer ended. Returns as answer_end (false if no answer
  // was left to end).
  bool finish();
  int answer() const { return answer_; }
  bool stop_advised() const { return failed_.load() || stop_advised_.load(); }
  bool finished() const { return finished_; }

  // --- ExecutorHost: what its executors use ---
  const SessionConfig &config() const override { return cfg_; }
  double now_ms() const override;
  double deadline_ms() const override;
  void emit(Event &e) override;  // stamps t_ms if unset, and the answer
  void note_failure() override { failed_ = true; }
  void advise_stop(Lang lang, std::int64_t unit_id, const std::string &why) override;
  void record_result(const Unit &u, const Result &r) override;
  void record_program(Lang lang, const Result &r, double t_ready_ms, double end_exec_ms) override;

 private:
  void on_unit(Unit &&u) override;
  void on_syntax_error(SyntaxError &&e) override;
  void on_fence_skipped(int fence, const std::string &info, Pos at, const std::string &why) override;
  void on_fence_open(Lang lang) override;
  void on_program_end(Lang lang, int fence) override;
  Executor *executor_for(Lang lang);
  double first_byte_time(std::uint64_t offset);
  bool end_answer(bool cut, bool skip_queued = true);
  int program_of(int fence);
  void report_not_run(const Unit &u, Status status, std::string note, double t_ms);
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
