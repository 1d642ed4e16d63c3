// One executor per language per session: a FIFO of closed units, a dispatcher
// thread and the language's worker process (DESIGN §5, §6).
#ifndef STREAMEXEC_SCHEDULER_EXECUTOR_H
#define STREAMEXEC_SCHEDULER_EXECUTOR_H

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "backends/worker_client.h"
#include "ir/ir.h"

namespace sx {

class Session;

class Executor {
 public:
  // Starts the dispatcher thread, which pre-starts the worker at once.
  Executor(Lang lang, Session &session);
  ~Executor();  // stops the thread and the worker; units not run are dropped

  // Queues a closed unit. A held unit (gate: hold until the answer is
  // finished) waits for release(), and so does every later unit of this
  // language, since they share its state.
  void submit(Unit &&u, bool hold);
  // End of the answer: held units may run.
  void release();
  // Blocks until every submitted unit has a result.
  void drain();

 private:
  void run();
  bool runnable_front() const { return !queue_.empty() && (released_ || !queue_.front().hold); }
  bool ensure_worker(std::string *err);
  void dispatch(std::deque<Unit> &batch);
  void finish_unit(const Unit &u, Result &r);
  void skip_all(std::deque<Unit> &batch, const std::string &why);
  void lose_worker(const std::string &what);
  void out_of_session_time();  // stops this language: later units are skipped

  Lang lang_;
  Session &s_;
  std::unique_ptr<WorkerProcess> worker_;
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
  std::mutex mu_;
  std::condition_variable cv_;
  struct Item {
    Unit unit;
    bool hold;
  };
  std::deque<Item> queue_;
  bool released_ = false;
  bool shutdown_ = false;
  bool busy_ = false;
  bool stopped_ = false;  // policy stop after an error: later units are skipped
  std::string stopped_why_;
  int restarts_ = 0;
};

}  // namespace sx

#endif
