#include "backends/common/worker_runtime.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <cerrno>
#include <cstdlib>
#include <thread>
#include <unistd.h>

#include "backends/common/protocol.h"

namespace sx {
namespace {

std::mutex g_out_mu;                 // serialises frames on the protocol fd
std::mutex g_drain_mu;               // held by the drainer between read() and send
std::atomic<std::int64_t> g_current{-1};
int g_cap_rd[2] = {-1, -1};          // read ends of the stdout/stderr capture pipes
int g_cap_wr[2] = {-1, -1};          // saved write ends, to restore fds 1/2 if a unit closes them

void send(const nlohmann::json &msg) {
  std::lock_guard<std::mutex> lk(g_out_mu);
  if (!proto::write_frame(proto::kWorkerOutFd, msg)) _exit(3);  // host is gone
}

// Drains the capture pipes and forwards their bytes as "output" frames of the
// unit that is running.
void drainer() {
  static const char *names[2] = {"stdout", "stderr"};
  char buf[65536];
  pollfd p[2] = {{g_cap_rd[0], POLLIN, 0}, {g_cap_rd[1], POLLIN, 0}};
  for (;;) {
    if (poll(p, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
      std::lock_guard<std::mutex> lk(g_drain_mu);
      ssize_t n = read(g_cap_rd[i], buf, sizeof buf);
      if (n < 0) continue;  // EAGAIN/EINTR
      if (n == 0) {         // cannot happen while g_cap_wr holds a write end; be safe
        p[i].fd = -1;
        continue;
      }
      send({{"op", "output"}, {"id", g_current.load()}, {"stream", names[i]},
            {"text", std::string(buf, static_cast<std::size_t>(n))}});
    }
  }
}

// A unit may have closed or replaced fds 1/2: put the capture pipes back.
void restore_std_fds() {
  for (int i = 0; i < 2; ++i) {
    struct stat a, b;
    if (fstat(i + 1, &a) != 0 || fstat(g_cap_wr[i], &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
      dup2(g_cap_wr[i], i + 1);
  }
  struct stat n;
  if (fstat(0, &n) != 0) {
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd >= 0 && null_fd != 0) {
      dup2(null_fd, 0);
      close(null_fd);
    }
  }
}

// After a unit: everything it wrote to fds 1/2 has been forwarded.
void quiesce_output(WorkerBackend &b) {
  b.flush_output();
  fflush(stdout);
  fflush(stderr);
  for (;;) {
    int pending = 0;
    for (int fd : g_cap_rd) {
      int n = 0;
      if (ioctl(fd, FIONREAD, &n) == 0) pending += n;
    }
    if (pending == 0) {
      std::lock_guard<std::mutex> lk(g_drain_mu);  // the drainer finished its last send
      int again = 0;
      for (int fd : g_cap_rd) {
        int n = 0;
        if (ioctl(fd, FIONREAD, &n) == 0) again += n;
      }
      if (again == 0) return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

bool setup_capture() {
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, 0);
    close(null_fd);
  }
  for (int i = 0; i < 2; ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return false;
    g_cap_rd[i] = p[0];
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    if (dup2(p[1], i + 1) < 0) return false;
    g_cap_wr[i] = fcntl(p[1], F_DUPFD_CLOEXEC, 10);
    close(p[1]);
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  return true;
}

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

// Only the worker speaks the protocol. A unit that forks (os.fork(), fork())
// must not let the child speak for the worker: the child loses the protocol
// fds (pthread_atfork) and exits when its copy of the unit returns, instead
// of reporting results. The PID-namespace relay and init drop them too, so
// the host sees EOF when the worker dies.
pid_t g_worker_pid = 0;
void drop_protocol_fds() {
  close(proto::kWorkerInFd);
  close(proto::kWorkerOutFd);
}

// --- isolation: a PID namespace per worker ----------------------------------
// A unit runs as the host's user; in the host's PID namespace it could signal
// the host (kill(getppid(), SIGKILL), kill(-1, SIGKILL), kill(<host pid>)).
// So the worker moves itself into a PID namespace of its own before it runs
// anything:
//
//   host ── relay (this process, host's namespace)
//             └─ init (PID 1 of the new namespace: reaps, forwards signals)
//                  └─ worker (PID 2: speaks the protocol, runs the units)
//
// Nothing in the namespace can name a process outside it, the namespace's
// init ignores the signals its members send it, and when init exits the
// kernel kills everything left in the namespace (a unit's background
// processes included). The relay dies the way the worker died (same exit code
// or signal), so the host's view of a crash does not change. The host kills
// init (its pid is in the relay's /proc children list) and waits for it.
// Returns in the worker process; without the privilege to create a namespace
// (CLONE_NEWPID needs CAP_SYS_ADMIN) it returns at once and the worker runs
// unisolated. Called first, while the process still has one thread.

volatile sig_atomic_t g_forward_to = 0;
void forward_signal(int sig) {
  if (g_forward_to > 0) kill(g_forward_to, sig);
}

// The host interrupts a unit by signalling the process it spawned (the
// relay); relay and init pass the signal down to the worker.
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

// Ends this process the way `wstatus` says another one ended.
[[noreturn]] void exit_like(int wstatus) {
  if (WIFSIGNALED(wstatus)) {
    int s = WTERMSIG(wstatus);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);  // the worker dumped its own core if it could
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

bool g_in_pid_namespace = false;

void enter_pid_namespace() {
  if (unshare(CLONE_NEWPID) != 0) return;
  int status_pipe[2];  // init -> relay: the worker's wait status
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return;
  pid_t init = fork();
  if (init < 0) {
    fprintf(stderr, "streamexec worker: fork into the PID namespace: %s\n", strerror(errno));
    _exit(2);
  }
  if (init > 0) {  // relay
    close(status_pipe[1]);
    drop_protocol_fds();
    forward_signals_to(init);
    int init_status = 0, worker_status = 0;
    wait_for(init, &init_status);
    if (read(status_pipe[0], &worker_status, sizeof worker_status) == sizeof worker_status)
      exit_like(worker_status);
    exit_like(init_status);  // init was killed before the worker ended
  }
  // init: PID 1 of the new namespace
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  close(status_pipe[0]);
  pid_t worker = fork();
  if (worker < 0) _exit(2);
  if (worker > 0) {
    drop_protocol_fds();
    forward_signals_to(worker);
    for (;;) {  // reap everything; leave when the worker is gone
      int st = 0;
      pid_t r = wait_for(-1, &st);
      if (r == worker) {
        if (write(status_pipe[1], &st, sizeof st) != sizeof st) _exit(1);
        _exit(0);  // the kernel kills whatever is left in the namespace
      }
      if (r < 0) _exit(1);
    }
  }
  close(status_pipe[1]);
  g_in_pid_namespace = true;
}

// This process's pid as the host sees it (/proc is the host's mount).
long host_visible_pid() {
  char buf[32] = {};
  ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
  return n > 0 ? strtol(buf, nullptr, 10) : getpid();
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int worker_main(WorkerBackend &backend) {
  auto t0 = std::chrono::steady_clock::now();
  // Never outlive the host; never take its terminal's signals.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) _exit(1);
  enter_pid_namespace();
  // In the namespace the parent is init (PID 1), which dies with the relay.
  if (g_in_pid_namespace) prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGPIPE, SIG_IGN);
  apply_limits();
  g_worker_pid = getpid();
  pthread_atfork(nullptr, nullptr, drop_protocol_fds);
  if (fcntl(proto::kWorkerInFd, F_GETFD) < 0 || fcntl(proto::kWorkerOutFd, F_GETFD) < 0) {
    fprintf(stderr, "streamexec worker: fds %d/%d are not open; workers are started by libstreamexec\n",
            proto::kWorkerInFd, proto::kWorkerOutFd);
    return 2;
  }
  fcntl(proto::kWorkerInFd, F_SETFD, FD_CLOEXEC);
  fcntl(proto::kWorkerOutFd, F_SETFD, FD_CLOEXEC);
  if (!setup_capture()) {
    send({{"op", "fatal"}, {"message", "cannot set up output capture"}});
    return 2;
  }
  std::thread(drainer).detach();

  std::string err;
  if (!backend.init(&err)) {
    send({{"op", "fatal"}, {"message", std::string(backend.name()) + " init failed: " + err}});
    return 2;
  }
  quiesce_output(backend);  // start-up chatter belongs to no unit
  send({{"op", "ready"}, {"pid", host_visible_pid()}, {"pid_namespace", g_in_pid_namespace},
        {"startup_ms", ms_since(t0)}});

  nlohmann::json req;
  while (proto::read_frame_blocking(proto::kWorkerInFd, &req)) {
    std::string op = req.value("op", "");
    if (op == "shutdown") break;
    if (op != "exec") continue;
    bool stop_on_error = req.value("stop_on_error", true);
    bool failed = false;
    for (const auto &u : req["units"]) {
      ExecRequest r;
      r.id = u.value("id", std::int64_t{-1});
      r.code = u.value("code", "");
      r.line = u.value("line", 1);
      r.col = u.value("col", 0);
      if (failed && stop_on_error) {
        send({{"op", "skipped"}, {"id", r.id}});
        continue;
      }
      g_current = r.id;
      send({{"op", "started"}, {"id", r.id}});
      auto ts = std::chrono::steady_clock::now();
      ExecOutcome o = backend.execute(r);
      if (getpid() != g_worker_pid) {  // a forked copy of the worker finished the unit
        fflush(nullptr);
        _exit(0);
      }
      double exec_ms = ms_since(ts);
      quiesce_output(backend);
      restore_std_fds();
      nlohmann::json done = {{"op", "done"}, {"id", r.id}, {"status", status_name(o.status)},
                             {"exec_ms", exec_ms}};
      if (o.has_value) done["value"] = o.value;
      if (o.has_error) {
        done["error"] = {{"type", o.error.type}, {"message", o.error.message},
                         {"line", o.error.line}, {"traceback", o.error.traceback}};
      }
      send(done);
      if (o.status != Status::Ok) failed = true;
    }
    g_current = -1;
  }
  backend.flush_output();
  fflush(nullptr);
  _exit(0);  // skip interpreter teardown: the session is over
}

}  // namespace sx
