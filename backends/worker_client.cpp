#include "backends/worker_client.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

extern char **environ;

namespace sx {

namespace {
// A pipe whose ends are >= 10, so dup2 onto fds 3/4 in the child never
// degenerates into dup2(fd, fd) (which would keep FD_CLOEXEC set).
bool high_pipe(int fds[2]) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    fds[i] = fcntl(p[i], F_DUPFD_CLOEXEC, 10);
    close(p[i]);
  }
  return fds[0] >= 0 && fds[1] >= 0;
}
}  // namespace

std::unique_ptr<WorkerProcess> WorkerProcess::spawn(const std::string &exe, const WorkerLimits &lim,
                                                    std::string *err) {
  if (access(exe.c_str(), X_OK) != 0) {
    *err = fmt::format("worker executable {} not found or not executable", exe);
    return nullptr;
  }
  int to_w[2], from_w[2];
  if (!high_pipe(to_w) || !high_pipe(from_w)) {
    *err = fmt::format("pipe: {}", strerror(errno));
    return nullptr;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_w[0], proto::kWorkerInFd);
  posix_spawn_file_actions_adddup2(&fa, from_w[1], proto::kWorkerOutFd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group: the terminal's Ctrl-C goes to the host, not the worker,
  // and a unit's kill(0, …) cannot reach the host.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  // The worker's limits travel in its environment (built here, not with
  // setenv: the host is multi-threaded).
  std::vector<std::string> env_store;
  for (char **e = environ; e && *e; ++e) {
    if (strncmp(*e, "SX_WORKER_", 10) != 0) env_store.emplace_back(*e);
  }
  env_store.push_back(fmt::format("SX_WORKER_RLIMIT_AS={}", lim.address_space_bytes));
  env_store.push_back(fmt::format("SX_WORKER_RLIMIT_NOFILE={}", lim.max_open_files));
  std::vector<char *> envp;
  for (auto &s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  char *argv[] = {const_cast<char *>(exe.c_str()), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(to_w[0]);
  close(from_w[1]);
  if (rc != 0) {
    close(to_w[1]);
    close(from_w[0]);
    *err = fmt::format("posix_spawn {}: {}", exe, strerror(rc));
    return nullptr;
  }
  std::unique_ptr<WorkerProcess> w(new WorkerProcess);
  w->pid_ = pid;
  w->to_ = to_w[1];
  w->from_ = from_w[0];
  fcntl(w->from_, F_SETFL, O_NONBLOCK);
  return w;
}

WorkerProcess::~WorkerProcess() {
  kill_and_reap();
  if (to_ >= 0) close(to_);
  if (from_ >= 0) close(from_);
}

bool WorkerProcess::send(const nlohmann::json &msg) {
  if (to_ < 0) return false;
  // The host never dies of SIGPIPE because a worker died: MSG_NOSIGNAL does
  // not apply to pipes, so SIGPIPE is ignored process-wide by the session.
  return proto::write_frame(to_, msg);
}

WorkerProcess::Read WorkerProcess::recv(nlohmann::json *out, int timeout_ms) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    try {
      if (reader_.next(out)) return Read::Frame;
    } catch (const nlohmann::json::exception &) {
      return Read::Closed;  // garbage on the protocol pipe: treat as a dead worker
    }
    if (reader_.oversized() || from_ < 0) return Read::Closed;
    int wait = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) return Read::Timeout;
      wait = static_cast<int>(left);
    }
    pollfd p{from_, POLLIN, 0};
    int r = poll(&p, 1, wait);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Read::Closed;
    }
    if (r == 0) return Read::Timeout;
    char buf[65536];
    ssize_t n = read(from_, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return Read::Closed;
    reader_.append(buf, static_cast<std::size_t>(n));
  }
}

void WorkerProcess::signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

bool WorkerProcess::reap(int wait_ms) {
  if (pid_ <= 0 || reaped_) return true;
  for (int waited = 0;; waited += 5) {
    pid_t r = waitpid(pid_, &wstatus_, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      reaped_ = true;
      return true;
    }
    if (waited >= wait_ms) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void WorkerProcess::kill_and_reap() {
  if (pid_ <= 0 || reaped_) return;
  if (reap(0)) return;
  ::kill(pid_, SIGKILL);
  while (waitpid(pid_, &wstatus_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

std::string WorkerProcess::exit_description() const {
  if (!reaped_) return "still running";
  if (WIFEXITED(wstatus_)) return fmt::format("exited with code {}", WEXITSTATUS(wstatus_));
  if (WIFSIGNALED(wstatus_)) {
    int s = WTERMSIG(wstatus_);
    return fmt::format("killed by signal {} ({})", s, strsignal(s));
  }
  return "ended";
}

}  // namespace sx
