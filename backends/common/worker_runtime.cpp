// worker_main: the process tree of one worker.
//
//   host ── relay (the process the host spawned; host's PID namespace)
//             └─ supervisor (PID 1 of the worker's namespace: the host protocol
//                  │          on fds 3/4, output capture, reaps everything)
//                  └─ interpreter (PID 2: CPython / V8 / clang; runs the units)
//                       └─ program children (C++: one per program, forked)
//
// The steps, in this order, each in one place below:
//  1. enter_pid_namespace(): relay and supervisor; nothing in the namespace
//     can name a process outside it (a unit cannot signal the host), and the
//     supervisor, the namespace's init, cannot be signalled by its members.
//  2. apply_limits(): rlimits and the pids cgroup, before anything runs.
//  3. the capture pipes and the private channel, then fork the interpreter:
//     it keeps fds 0 (/dev/null), 1/2 (capture pipes) and the channel, and
//     never sees the host protocol fds — so a unit cannot write frames the
//     host reads, and its output cannot bypass the supervisor.
//  4. the supervisor (supervisor.cpp) and the interpreter (interpreter.cpp)
//     run their loops.
// Without the privilege to create a PID namespace (CAP_SYS_ADMIN) step 1 is
// skipped and the host spawns the supervisor directly; the "ready" frame says
// which.
#include "backends/common/worker_runtime.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/common/channel.h"
#include "backends/common/protocol.h"
#include "backends/common/worker_internal.h"

namespace sx {

void WorkerBackend::wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

namespace detail {

[[noreturn]] void exit_like(int wstatus) {
  if (WIFSIGNALED(wstatus)) {
    int s = WTERMSIG(wstatus);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);  // the process that died dumped its own core if it could
    signal(s, SIG_DFL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, s);
    sigprocmask(SIG_UNBLOCK, &m, nullptr);
    kill(getpid(), s);
    _exit(128 + s);  // a signal whose default is not to terminate
  }
  _exit(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 1);
}

}  // namespace detail

namespace {

void drop_protocol_fds() {
  close(proto::kWorkerInFd);
  close(proto::kWorkerOutFd);
}

// --- 1. a PID namespace per worker -------------------------------------------
// The process the host spawned stays in the host's namespace as a relay; its
// child is PID 1 of a new namespace and becomes the supervisor. Nothing in
// the namespace can name a process outside it, and the kernel delivers no
// signal from a member to the namespace's init unless init handles it (the
// supervisor handles none; it reads the host's forwarded signals from a
// signalfd and drops those whose sender is a member), so a unit cannot kill
// the supervisor either. When the supervisor exits, the kernel kills
// everything left in the namespace. The relay dies the way the supervisor
// says the interpreter died (same exit code or signal), so the host's view of
// a crash does not change; the host kills the supervisor (the relay's child,
// found in /proc) and waits for it. Returns in the supervisor, with
// *status_fd the pipe to report the interpreter's end to the relay.

volatile sig_atomic_t g_forward_to = 0;
void forward_signal(int sig) {
  if (g_forward_to > 0) kill(g_forward_to, sig);
}

// The host interrupts a unit by signalling the process it spawned (the
// relay); the relay passes the signal down to the supervisor.
void forward_signals_to(pid_t target) {
  g_forward_to = target;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaction(s, &sa, nullptr);
}

pid_t wait_for(pid_t pid, int *status) {
  pid_t r;
  while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR) {
  }
  return r;
}

bool enter_pid_namespace(int *status_fd) {
  if (unshare(CLONE_NEWPID) != 0) return false;
  int status_pipe[2];  // supervisor -> relay: the interpreter's wait status
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return false;
  pid_t sup = fork();
  if (sup < 0) {
    fprintf(stderr, "streamexec worker: fork into the PID namespace: %s\n", strerror(errno));
    _exit(2);
  }
  if (sup > 0) {  // relay
    close(status_pipe[1]);
    drop_protocol_fds();
    forward_signals_to(sup);
    int sup_status = 0, interp_status = 0;
    wait_for(sup, &sup_status);
    if (read(status_pipe[0], &interp_status, sizeof interp_status) == sizeof interp_status)
      detail::exit_like(interp_status);
    detail::exit_like(sup_status);  // the supervisor was killed before it could say
  }
  // The supervisor: PID 1 of the new namespace; dies with the relay.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  close(status_pipe[0]);
  *status_fd = status_pipe[1];
  return true;
}

// --- 2. limits ---------------------------------------------------------------
void apply_limits() {
  auto lim = [](const char *var, int resource) {
    const char *v = getenv(var);
    if (!v) return;
    unsigned long long n = strtoull(v, nullptr, 10);
    if (n == 0) return;
    rlimit rl{static_cast<rlim_t>(n), static_cast<rlim_t>(n)};
    setrlimit(resource, &rl);
  };
  lim("SX_WORKER_RLIMIT_AS", RLIMIT_AS);
  lim("SX_WORKER_RLIMIT_NOFILE", RLIMIT_NOFILE);
  lim("SX_WORKER_RLIMIT_NPROC", RLIMIT_NPROC);
  // The pids cgroup the host made for this worker (and its descendants).
  if (const char *procs = getenv("SX_WORKER_CGROUP_PROCS")) {
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && dprintf(fd, "%d\n", getpid()) > 0;
    if (fd >= 0) close(fd);
    if (!ok) {
      fprintf(stderr, "streamexec worker: cannot join the process-limit cgroup %s\n", procs);
      _exit(2);
    }
  }
}

// --- 3. pipes, channel, interpreter --------------------------------------------
bool high_cloexec_pipe(int p[2]) {
  int q[2];
  if (pipe2(q, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    p[i] = fcntl(q[i], F_DUPFD_CLOEXEC, 10);
    close(q[i]);
  }
  return p[0] >= 0 && p[1] >= 0;
}

// In the forked interpreter: fds 0, 1, 2 and kChannelFd, nothing else of ours.
void become_interpreter_fds(int channel, const int out[2], const int err[2]) {
  drop_protocol_fds();  // the channel takes fd 3 next
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, 0);
    close(null_fd);
  }
  dup2(out[1], 1);
  dup2(err[1], 2);
  dup2(channel, detail::kChannelFd);
  fcntl(detail::kChannelFd, F_SETFD, FD_CLOEXEC);
  close(channel);
}

}  // namespace

int worker_main(WorkerBackend &backend) {
  // Never outlive the host; never take its terminal's signals.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) _exit(1);
  if (fcntl(proto::kWorkerInFd, F_GETFD) < 0 || fcntl(proto::kWorkerOutFd, F_GETFD) < 0) {
    fprintf(stderr, "streamexec worker: fds %d/%d are not open; workers are started by libstreamexec\n",
            proto::kWorkerInFd, proto::kWorkerOutFd);
    return 2;
  }
  // Nothing of the host but the protocol: every other descriptor it left
  // open (files, sockets of the embedding program) is closed first.
  close_range(proto::kWorkerOutFd + 1, ~0U, 0);
  detail::SupervisorSetup sup;
  sup.pid_namespace = enter_pid_namespace(&sup.status_fd);
  signal(SIGPIPE, SIG_IGN);
  apply_limits();
  // The protocol fds go to high numbers, out of the way of fds 0-3 that the
  // interpreter uses; they are the supervisor's alone.
  for (int fd : {proto::kWorkerInFd, proto::kWorkerOutFd}) fcntl(fd, F_SETFD, FD_CLOEXEC);

  int out[2], err[2], ch[2];
  if (!high_cloexec_pipe(out) || !high_cloexec_pipe(err) || !chan::make_pair(ch)) {
    proto::write_frame(proto::kWorkerOutFd, {{"op", "fatal"}, {"message", "cannot create the worker's pipes"}});
    return 2;
  }
  pid_t interp = fork();
  if (interp < 0) {
    proto::write_frame(proto::kWorkerOutFd,
                       {{"op", "fatal"}, {"message", std::string("fork: ") + strerror(errno)}});
    return 2;
  }
  if (interp == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the supervisor
    close(ch[0]);
    int capture_read[2] = {out[0], err[0]};
    become_interpreter_fds(ch[1], out, err);
    close(out[1]);
    close(err[1]);
    detail::run_interpreter(backend, capture_read);
  }
  close(ch[1]);
  close(out[1]);
  close(err[1]);
  sup.interpreter = interp;
  sup.channel = ch[0];
  sup.capture[0] = out[0];
  sup.capture[1] = err[0];
  detail::run_supervisor(sup);
}

}  // namespace sx
