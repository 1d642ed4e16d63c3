// worker_main: the process tree of one worker.
//
//   host ── relay (the process the host spawned; host's namespaces and uid)
//             └─ supervisor (PID 1 of the worker's namespaces: the host protocol
//                  │          on fds 3/4, output capture, reaps everything)
//                  └─ interpreter (PID 2: CPython / V8 / clang; runs the units)
//                       └─ program children (C++: one per program, forked)
//
// The steps, in this order, each in one place:
//  1. the limits (sandbox/limits.cpp), in the relay, with the host's uid;
//  2. the sandbox's namespaces (sandbox/user_ns.cpp): the relay clones the
//     supervisor into new user, PID, mount, network, IPC and UTS namespaces
//     and stays outside to pass signals down and the interpreter's end up;
//  3. the supervisor sets up the file system and network and drops every
//     privilege (sandbox/mount_ns.cpp, net_ns.cpp, caps.cpp);
//  4. the capture pipes and the private channel, then fork the interpreter:
//     it keeps fds 0 (/dev/null), 1/2 (capture pipes) and the channel, and
//     never sees the host protocol fds — so a unit cannot write frames the
//     host reads, and its output cannot bypass the supervisor; it installs
//     the seccomp filter (sandbox/seccomp.cpp) before the backend starts;
//  5. the supervisor (supervisor.cpp) and the interpreter (interpreter.cpp)
//     run their loops.
// What the kernel refuses is skipped and reported in the "ready" frame
// (sandbox.h), never silently.
#include <algorithm>
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
#include <string>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/common/channel.h"
#include "backends/common/protocol.h"
#include "backends/common/sandbox/sandbox.h"
#include "backends/common/worker_internal.h"

extern char **environ;

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

// --- 2. the namespaces ---------------------------------------------------------
// The process the host spawned stays in the host's namespaces as a relay;
// its child is PID 1 of new ones and becomes the supervisor. Nothing in the
// namespace can name a process outside it, and the kernel delivers no
// signal from a member to the namespace's init unless init handles it (the
// supervisor handles none; it reads the host's forwarded signals from a
// signalfd and drops those whose sender is a member), so a unit cannot kill
// the supervisor either. When the supervisor exits, the kernel kills
// everything left in the namespace. The relay dies the way the supervisor
// says the interpreter died (same exit code or signal), so the host's view of
// a crash does not change; the host kills the supervisor (the relay's child,
// found in /proc) and waits for it. Returns in the supervisor (true), with
// *status_fd the pipe to report the interpreter's end to the relay; false if
// no namespace could be made (this process is then the supervisor).

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

bool enter_namespaces(const sandbox::Config &cfg, sandbox::Report *report, std::vector<int> *write_trees,
                      int *status_fd) {
  int status_pipe[2];  // supervisor -> relay: the interpreter's wait status
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return false;
  pid_t sup = sandbox::clone_supervisor(cfg, report, write_trees);
  if (sup < 0) {
    close(status_pipe[0]);
    close(status_pipe[1]);
    return false;
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
  // The supervisor: dies with the relay.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  close(status_pipe[0]);
  *status_fd = status_pipe[1];
  return true;
}

// The supervisor's environment is the interpreter's: the worker's own
// settings leave it before any unit runs.
void drop_worker_settings() {
  std::vector<std::string> names;
  for (char **e = environ; e && *e; ++e)
    if (strncmp(*e, "SX_WORKER_", 10) == 0) names.emplace_back(*e, strcspn(*e, "="));
  for (const auto &n : names) unsetenv(n.c_str());
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
// (keep_protocol: the red-team tests' "supervisor" switch — the host's
// protocol pipe stays open as fd 4, as it was before the supervisor owned it.)
void become_interpreter_fds(int channel, const int out[2], const int err[2], bool keep_protocol) {
  int protocol = keep_protocol ? fcntl(proto::kWorkerOutFd, F_DUPFD, 10) : -1;
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
  if (protocol >= 0) {
    dup2(protocol, proto::kWorkerOutFd);
    close(protocol);
  }
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
  sandbox::Config cfg;
  std::string cfg_err;
  bool cfg_ok = sandbox::Config::from_env(&cfg, &cfg_err);
  if (!cfg.is_off("fds")) {
    // Everything above the protocol's descriptors but the backend's own.
    std::vector<int> keep = backend.kept_fds();
    std::sort(keep.begin(), keep.end());
    unsigned from = proto::kWorkerOutFd + 1;
    for (int k : keep) {
      if (k < static_cast<int>(from)) continue;
      if (static_cast<unsigned>(k) > from) close_range(from, static_cast<unsigned>(k) - 1, 0);
      from = static_cast<unsigned>(k) + 1;
    }
    close_range(from, ~0U, 0);
  }
  if (!cfg_ok) {
    proto::write_frame(proto::kWorkerOutFd, {{"op", "fatal"}, {"message", "sandbox configuration: " + cfg_err}});
    return 2;
  }
  sandbox::apply_limits();
  sandbox::Report report;
  std::vector<int> write_trees;
  detail::SupervisorSetup sup;
  if (enter_namespaces(cfg, &report, &write_trees, &sup.status_fd)) {
    sandbox::set_up_mounts(cfg, write_trees, &report);
    sandbox::set_up_network(cfg, &report);
  }
  sandbox::drop_supervisor_privileges(cfg, &report);
  sup.pid_namespace = report.pid_ns;
  // (frame_checks off: values as large as the channel carries — red-team tests only)
  sup.value_cap = cfg.is_off("frame_checks") ? chan::kMaxMessage : proto::kMaxValue;
  drop_worker_settings();
  signal(SIGPIPE, SIG_IGN);
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
    become_interpreter_fds(ch[1], out, err, cfg.is_off("supervisor"));
    close(out[1]);
    close(err[1]);
    prctl(PR_SET_DUMPABLE, 1);  // only the supervisor is not (caps.cpp)
    sandbox::lower_priority(cfg, &report);
    sandbox::install_seccomp(cfg, &report);
    report.read_process_facts();
    detail::run_interpreter(backend, capture_read, report.to_json(), sup.value_cap);
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
