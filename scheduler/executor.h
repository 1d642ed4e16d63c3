// One executor per language per session: a FIFO of closed units and program
// ends, a dispatcher thread and the language's worker process (docs/DESIGN.md
// §5, §6, §6a). executor.cpp: the queue and dispatch; executor_programs.cpp:
// program ends; executor_hoist.cpp: JavaScript hoisting.
#ifndef STREAMEXEC_SCHEDULER_EXECUTOR_H
#define STREAMEXEC_SCHEDULER_EXECUTOR_H

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <memory>
#include <mutex>
#include <thread>

#include "backends/worker_client.h"
#include "ir/ir.h"
#include "scheduler/executor_host.h"

namespace sx {


class Executor {
 public:
  // Starts the dispatcher thread, which pre-starts the worker at once.
  Executor(Lang lang, ExecutorHost &session);
  ~Executor();  // stops the thread and the worker; units not run are dropped

  // Queues a closed unit. A held unit (gate: hold until the answer is
  // finished) waits for release(), and so does every later unit of this
  // language, since they share its state.
  void submit(Unit &&u, bool hold);
  // The program `fence` (-1 in raw mode) has no more units: once they have
  // run, what a native run does after its last statement runs (C++ main, the
  // JavaScript event loop, Python's atexit handlers), then program_done.
  void end_program(int fence, bool cut = false);
  // A syntax error in program `fence` (already reported by the session):
  // the program failed there; later units of it are not reached.
  void program_failed(int fence, const Result &syntax_error);
  // End of the answer: held units may run.
  void release();
  // The answer was cut (sx_answer_cut): queued units that have not started
  // are skipped, and their programs end as cut ones (C++ main not run, no
  // event loop turn).
  void cut();
  // A new answer begins: the policy stop and the hold of the last one end.
  void begin_answer();
  // Interrupts the unit (or program end) running now, if any: SIGINT to the
  // worker (KeyboardInterrupt, TerminateExecution, the C++ program's
  // process killed); killed after interrupt_grace_ms if it goes on. Any
  // thread; returns at once.
  void interrupt();
  // Blocks until every submitted unit and program end has a result.
  void drain();
  // The sandbox of the worker (the latest one, if it was restarted); false
  // if no worker became ready.
  bool sandbox(SandboxReport *out) const;

 private:
  struct Item {
    enum class Kind { Unit, End, Failed } kind = Kind::Unit;
    Unit unit;     // Kind::Unit
    bool hold = false;
    int fence = -1;
    Result failure;  // Kind::Failed
    double t_queued = 0;  // Kind::End: when the program's text was complete
    bool cut = false;     // the answer was cut: a unit is skipped, a program ends as cut
  };
  // What the executor knows of one program (fence) of this language.
  struct Program {
    bool seen = false;             // a unit of it was dispatched or skipped
    bool ran = false;              // a unit of it reached the worker
    std::int64_t last_unit = -1;   // the last unit that ran: end-of-program output goes to it
    bool failed = false;           // a unit failed (exception, syntax/compile error, crash)
    Result failure;                // the first failure
    std::int64_t failure_unit = -1;
    bool ended = false;            // its process/run ended before the end of its text
    std::int64_t returned_unit = -1;  // JavaScript: its top level returned here; later units are not run
    Result ending;                 // how (status, exit code, signal)
    std::int64_t ending_unit = -1;
    bool main_pending = false;     // C++: `main` is defined and runs at the end
    Unit main_unit;
    Result main_result;            // of compiling the unit that defines main
    bool done = false;             // program_done was emitted
    bool cut = false;              // the answer was cut before the program's text was complete
  };

  void run();
  bool runnable_front() const { return !queue_.empty() && (released_ || !queue_.front().hold); }
  bool ensure_worker(std::string *err);
  void dispatch(std::deque<Unit> &batch);
  nlohmann::json exec_message(const std::deque<Unit> &units, int fence) const;
  // Session time at which the unit of a "started" frame began in the worker.
  double started_at(const nlohmann::json &started, double t_disp) const;
  void run_end(int fence, double t_ready_ms);
  void finish_unit(const Unit &u, Result &r);
  void skip(const Unit &u, const std::string &why);
  void skip_all(std::deque<Unit> &batch, const std::string &why);
  void lose_worker(const std::string &what);
  void out_of_session_time();  // stops this language: later units are skipped
  // The program ended while `u` ran (or before it): records how and skips
  // the rest of `batch`.
  void program_ended(Program &p, const Unit *u, const Result &how, std::deque<Unit> &batch);
  // end_exec_ms: execution after the program's last unit (event loop,
  // atexit; 0 when it is counted in a unit, as C++ main is).
  void emit_program_done(int fence, Program &p, Result r, double end_exec_ms = 0);
  Result failure_outcome(const Program &p) const;
  Result program_outcome(const nlohmann::json &frame, bool interrupted, const char *during) const;
  std::string not_reached_note(const Program &p) const;
  // Reads the next frame, with the unit's deadline and the interrupt rules.
  // With `woken`: Woken when a unit was queued (wake_fd_) before a frame came.
  enum class Wait { Frame, TimedOut, Died, Woken };
  Wait next_frame(nlohmann::json *f, double *deadline, bool *interrupted, Result *cur, bool woken = false);
  // Follow-on dispatch: units of the batch's program that became runnable
  // while the batch runs are sent behind it at once, appended to `batch`
  // (their dispatch times to *sent_at).
  void send_followers(std::deque<Unit> &batch, Program &p, std::map<std::int64_t, double> *sent_at);
  // Under mu_: moves the queue's front unit to *out (its names to *defs);
  // take_batchable: as long as the front may go with a batch of program
  // `fence` (runnable, not cut, JavaScript names defined).
  void take_front(std::set<std::string> *defs, std::deque<Unit> *out);
  void take_batchable(int fence, std::set<std::string> *defs, std::deque<Unit> *out);
  void wake();  // a unit may have become runnable: wakes a dispatch that waits for frames
  void output_frame(const nlohmann::json &f, Result *cur, std::int64_t cur_id);
  // The display events of a reply frame's "displays" (plots shown).
  void displays(const nlohmann::json &f, std::int64_t unit_id);

  // Interrupts: interrupt() asks for the unit in flight when it was called
  // (its generation); the dispatcher acts on it only while that unit runs.
  std::atomic<std::uint64_t> flight_gen_{1};   // bumped for each unit / program end in flight
  std::atomic<std::uint64_t> interrupt_gen_{0};
  bool user_interrupt_ = false;  // dispatcher thread: the unit in flight was interrupted on request
  void next_in_flight() { flight_gen_.fetch_add(1); }

  Lang lang_;
  ExecutorHost &s_;  // the session, through what an executor may use of it
  std::unique_ptr<WorkerProcess> worker_;
  std::string fatal_;  // a "fatal" frame's message (protocol violation, init failure)
  SandboxReport sandbox_;  // under mu_
  bool has_sandbox_ = false;
  // The live worker's pid, for ~Executor: it must not touch worker_, which
  // the dispatcher thread uses and replaces (that raced: heap corruption when
  // a session was freed while one of its workers was starting).
  std::mutex pid_mu_;
  pid_t live_pid_ = -1;
  void set_live_pid(pid_t p) {
    std::lock_guard<std::mutex> lk(pid_mu_);
    live_pid_ = p;
  }
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  int wake_fd_ = -1;                   // eventfd: written by wake(), polled by dispatch() with the worker's frames
  std::atomic<bool> cut_sent_{false};  // cut(): the dispatch in progress cuts its units that have not started
  bool released_ = false;
  bool shutdown_ = false;
  bool busy_ = false;
  bool stopped_ = false;  // policy stop after an error: later units are skipped
  std::string stopped_why_;
  int restarts_ = 0;
  std::map<int, Program> programs_;  // dispatcher thread only
  double end_ready_ms_ = 0;          // the program end being run: when its text was complete

  // --- JavaScript hoisting (docs/DESIGN.md §6a) -------------------------------------
  // A script's function declarations exist before its first statement runs:
  // `main();` above `function main() {…}` works natively. A unit that uses a
  // name nothing defines yet waits (as if the gate held it) until a later
  // unit of its program declares that function — which is then run first,
  // as hoisting would — or until the program's text is complete.
  // Under mu_.
  bool hoist_plan(std::vector<std::size_t> *first, std::string *waits_for);
  std::vector<std::string> missing_names(const Unit &u, const std::set<std::string> &also) const;
  void note_defined(const Unit &u);
  std::set<std::string> js_known_;  // the worker's globals and names dispatched units define
  std::map<std::string, std::vector<std::string>> js_fn_uses_;  // declared functions -> names they use
  std::int64_t wait_announced_ = -1;  // the unit whose wait was reported (unit_held)
};

}  // namespace sx

#endif
