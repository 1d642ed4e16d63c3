// The C++ worker, how a program ends as natively (docs/DESIGN.md §6a):
// atexit/at_quick_exit registrations of JIT-compiled code kept in lists of
// the program's own, exit()/quick_exit()/main's return run them, flush the
// streams and end the program's process; fatal signals drain the output
// first. Assumes the worker runtime (worker_runtime.h) forked the program's
// process.
#include "backends/cpp/cpp_worker_internal.h"

#include <cxxabi.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <clang/Basic/Stack.h>

#include "backends/common/worker_runtime.h"

namespace sx::cppworker {

// ---------------------------------------------------------------------------
// Output draining on the way out (exit(), abort(), fatal signals).

// Waits (bounded) until the capture pipes behind fds 1/2 are empty, i.e. the
// runtime's drainer thread has read what the unit wrote, then gives it a
// moment to forward the last frame. Async-signal-safe.
void wait_for_drain() {
  for (int i = 0; i < 400; ++i) {  // <= ~200 ms
    int pending = 0;
    for (int fd = 1; fd <= 2; ++fd) {
      int n = 0;
      if (ioctl(fd, FIONREAD, &n) == 0) pending += n;
    }
    if (pending == 0) break;
    timespec ts{0, 500000};
    nanosleep(&ts, nullptr);
  }
  timespec ts{0, 5000000};  // the drainer's last send()
  nanosleep(&ts, nullptr);
}

void flush_all_streams() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::wcout.flush();
  std::wcerr.flush();
  fflush(nullptr);
}

// exit() called by the worker itself: hand over the output before the
// process ends.
void at_exit_drain() {
  flush_all_streams();
  wait_for_drain();
}

// --- how a program ends, as natively -------------------------------------------
// JIT-compiled code's atexit(), __cxa_atexit() (static destructors),
// at_quick_exit(), exit() and quick_exit() resolve to these (defined in the
// JIT's main library, ahead of libc): registrations go to lists of the
// program's own, and exit()/quick_exit()/main's return run them in reverse
// order, flush the C and C++ streams and end the program's process with the
// status. The worker's own static destructors (LLVM, clang) never run.
struct AtExit {
  void (*fn)(void *);
  void *arg;
};
std::vector<AtExit> g_atexit, g_at_quick_exit;

extern "C" int sx_cxa_atexit(void (*fn)(void *), void *arg, void *) {
  g_atexit.push_back({fn, arg});
  return 0;
}
extern "C" int sx_atexit(void (*fn)()) {
  g_atexit.push_back({reinterpret_cast<void (*)(void *)>(fn), nullptr});
  return 0;
}
extern "C" int sx_at_quick_exit(void (*fn)()) {
  g_at_quick_exit.push_back({reinterpret_cast<void (*)(void *)>(fn), nullptr});
  return 0;
}

void run_handlers(std::vector<AtExit> &list) {
  // A handler may register more (they run too, as in libc).
  while (!list.empty()) {
    AtExit h = list.back();
    list.pop_back();
    h.fn(h.arg);
  }
}

[[noreturn]] void end_program_process(int code) {
  flush_all_streams();
  if (sx::in_program_child()) sx::exit_program_process(code & 0xff);
  // Not in a program's own process (fork failed): this ends the worker.
  std::exit(code);
}

extern "C" [[noreturn]] void sx_exit(int code) {
  run_handlers(g_atexit);
  end_program_process(code);
}
extern "C" [[noreturn]] void sx_quick_exit(int code) {
  run_handlers(g_at_quick_exit);
  end_program_process(code);
}

// Flushes a stdio stream from a signal handler unless another thread holds
// its lock (then its buffered bytes are lost rather than risking a hang).
void flush_if_unlocked(FILE *f) {
  if (ftrylockfile(f) != 0) return;
  fflush_unlocked(f);
  funlockfile(f);
}

void fatal_signal(int sig) {
  // std::cout/cerr sync with stdio (the default), so their bytes are here.
  flush_if_unlocked(stdout);
  flush_if_unlocked(stderr);
  // A program's own process dies as a native run would, without a word
  // (its program_done event says how); the worker itself says so.
  if (!sx::in_program_child()) {
    const char *what = strsignal(sig);
    char msg[160];
    int n = snprintf(msg, sizeof msg, "\nstreamexec: C++ worker killed by signal %d (%s)\n", sig,
                     what ? what : "?");
    if (n > 0) {
      ssize_t r = write(2, msg, static_cast<size_t>(n));
      (void)r;
    }
  }
  wait_for_drain();
  signal(sig, SIG_DFL);
  raise(sig);
}

// clang's parser recurses once per nested unary operator, and each level
// takes ~5 KiB: with the usual 8 MiB stack, `int x = - - ... 1;` with 2 000
// minus signs crashes clang (clang++ -fsyntax-only too). Units are parsed
// and run on the main thread, whose stack grows on demand up to
// RLIMIT_STACK, into the >= 128 MiB gap the kernel leaves below it: raise the
// soft limit to use that gap (threads keep the stack size fixed at start-up).
// clang also moves some recursion (template instantiation, deep
// expressions in Sema) to a fresh thread when it knows where the stack began.
void grow_main_stack() {
  rlimit rl{};
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    rlim_t want = rlim_t{120} << 20;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max) want = rl.rlim_max;
    if (want > rl.rlim_cur) {
      rl.rlim_cur = want;
      setrlimit(RLIMIT_STACK, &rl);
    }
  }
  clang::noteBottomOfStack();
}

void install_crash_handlers() {
  // An alternate stack, so a stack overflow still reaches the handler.
  static std::vector<char> alt(1 << 16);
  stack_t ss{};
  ss.ss_sp = alt.data();
  ss.ss_size = alt.size();
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
  atexit(at_exit_drain);
  // The host's interrupt (time limit): JIT-compiled code cannot be stopped
  // safely, but a program's own process can be killed — the interpreter it
  // was forked from keeps the state from before the program.
  struct sigaction si {};
  si.sa_handler = [](int) {
    if (sx::in_program_child()) kill(getpid(), SIGKILL);
  };
  sigemptyset(&si.sa_mask);
  si.sa_flags = SA_RESTART;
  sigaction(SIGINT, &si, nullptr);
}

std::string demangle(const char *name) {
  int st = 0;
  char *d = abi::__cxa_demangle(name, nullptr, nullptr, &st);
  std::string s = (st == 0 && d) ? d : name;
  free(d);
  return s;
}


}  // namespace sx::cppworker
