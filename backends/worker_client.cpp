#include "backends/worker_client.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "backends/common/sandbox/sandbox.h"

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

// --- process limit: a pids cgroup per worker --------------------------------
// The directory of the pids controller that the host itself is in: cgroup v1
// ("N:pids:/path" mounted at /sys/fs/cgroup/pids) or v2 ("0::/path" with pids
// enabled in the parent's subtree_control). "" if there is none we can use.
std::string host_pids_cgroup() {
  std::ifstream in("/proc/self/cgroup");
  std::string line, v1, v2;
  bool have_v2 = false;
  while (std::getline(in, line)) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (ctrls == "pids" || ctrls.starts_with("pids,") || ctrls.find(",pids") != std::string::npos)
      v1 = "/sys/fs/cgroup/pids" + path;
    else if (ctrls.empty()) {
      v2 = path;
      have_v2 = true;
    }
  }
  if (!v1.empty() && access((v1 + "/cgroup.procs").c_str(), W_OK) == 0) return v1;
  if (have_v2) {
    for (const char *mnt : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      std::string dir = std::string(mnt) + (v2 == "/" ? "" : v2);
      std::ifstream sub(dir + "/cgroup.subtree_control");
      std::string ctl((std::istreambuf_iterator<char>(sub)), {});
      if (ctl.find("pids") != std::string::npos && access(dir.c_str(), W_OK) == 0) return dir;
    }
  }
  return "";
}

bool write_file(const std::string &path, const std::string &text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// Kills every process of a cgroup, then removes it (retrying while the
// killed processes exit).
void destroy_cgroup(const std::string &dir) {
  for (int round = 0; round < 200; ++round) {
    std::ifstream procs(dir + "/cgroup.procs");
    bool any = false;
    for (pid_t p; procs >> p;) {
      ::kill(p, SIGKILL);
      any = true;
    }
    if (!any && rmdir(dir.c_str()) == 0) return;
    if (errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(any ? 1 : 5));
  }
}

// Leftovers of hosts that were killed before they could clean up: cgroups
// named streamexec-<pid>-<n> whose host is gone.
void remove_stale_cgroups(const std::string &parent) {
  DIR *d = opendir(parent.c_str());
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent *e = readdir(d)) {
    int host = 0;
    if (sscanf(e->d_name, "streamexec-%d-", &host) == 1 && host > 0 && ::kill(host, 0) != 0 && errno == ESRCH)
      stale.push_back(parent + "/" + e->d_name);
  }
  closedir(d);
  for (const auto &s : stale) destroy_cgroup(s);
}

// A new pids cgroup allowing `max` tasks, or "" (why in *why).
std::string make_pids_cgroup(std::uint64_t max, std::string *why) {
  static std::atomic<unsigned> seq{0};
  static std::once_flag cleaned;
  std::string parent = host_pids_cgroup();
  if (parent.empty()) {
    *why = "no writable pids cgroup";
    return "";
  }
  std::call_once(cleaned, [&] { remove_stale_cgroups(parent); });
  std::string dir = fmt::format("{}/streamexec-{}-{}", parent, getpid(), seq++);
  if (mkdir(dir.c_str(), 0755) != 0) {
    *why = fmt::format("mkdir {}: {}", dir, strerror(errno));
    return "";
  }
  if (!write_file(dir + "/pids.max", std::to_string(max))) {
    *why = fmt::format("cannot write {}/pids.max", dir);
    rmdir(dir.c_str());
    return "";
  }
  return dir;
}

// Tasks (threads) the real user already has: RLIMIT_NPROC counts them all.
std::uint64_t user_task_count() {
  std::uint64_t n = 0;
  uid_t me = getuid();
  DIR *d = opendir("/proc");
  if (!d) return 0;
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    struct stat st;
    std::string task = fmt::format("/proc/{}/task", e->d_name);
    if (stat(task.c_str(), &st) != 0 || st.st_uid != me) continue;
    n += st.st_nlink > 2 ? st.st_nlink - 2 : 1;  // one subdirectory per thread
  }
  closedir(d);
  return n;
}

std::string ns_of(pid_t pid) {
  char buf[64] = {};
  ssize_t n = readlink(fmt::format("/proc/{}/ns/pid", pid).c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

// The init of the worker's PID namespace (worker_runtime.cpp): the child of
// the process we spawned that lives in another PID namespace. A pidfd to it,
// or -1 (no namespace: the worker runs unisolated, or it is gone).
int open_namespace_init(pid_t relay) {
  std::ifstream in(fmt::format("/proc/{}/task/{}/children", relay, relay));
  pid_t child = 0;
  if (!(in >> child) || child <= 0) return -1;
  int fd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  if (fd < 0) return -1;
  std::string a = ns_of(relay), b = ns_of(child);
  if (a.empty() || b.empty() || a == b) {
    close(fd);
    return -1;
  }
  return fd;
}
// --- the sandbox's request ---------------------------------------------------
bool valid_env_name(const std::string &n) {
  if (n.empty() || isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// The host user's home directory: hidden from the units (keys, tokens,
// shell history live there).
std::vector<std::string> host_homes() {
  std::vector<std::string> homes;
  auto add = [&](const char *h) {
    if (!h || !*h || std::string(h) == "/") return;
    char *real = realpath(h, nullptr);
    if (!real) return;
    if (std::find(homes.begin(), homes.end(), real) == homes.end()) homes.emplace_back(real);
    free(real);
  };
  add(getenv("HOME"));
  // getpwuid_r: executors of several languages spawn workers at once
  // (getpwuid's static buffer raced, ThreadSanitizer found it).
  passwd pw{}, *found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found) add(found->pw_dir);
  return homes;
}

sandbox::Config sandbox_config(const WorkerSandbox &sb) {
  sandbox::Config c;
  c.network = sb.network;
  c.allow_write = sb.allow_write;
  c.scratch_bytes = sb.scratch_bytes;
  c.off = sb.off;
  for (auto &h : host_homes()) {
    bool allowed = false;  // an allowed directory is not hidden by its parent's hiding
    for (const auto &w : sb.allow_write)
      if (w == h) allowed = true;
    if (!allowed) c.hide.push_back(h);
  }
  return c;
}

}  // namespace

bool normalize_sandbox(WorkerSandbox *sb, std::string *err) {
  for (auto &d : sb->allow_write) {
    char *real = realpath(d.c_str(), nullptr);
    struct stat st;
    if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
      *err = fmt::format("--allow-write {}: {}", d, real ? "not a directory" : strerror(errno));
      free(real);
      return false;
    }
    d = real;
    free(real);
    if (d == "/") {
      *err = "--allow-write /: the whole file system cannot be made writable (use a directory)";
      return false;
    }
  }
  for (const auto &e : sb->env) {
    std::string name = e.substr(0, e.find('='));
    if (!valid_env_name(name)) {
      *err = fmt::format("--env {}: '{}' is not a variable name", e, name);
      return false;
    }
  }
  for (const auto &o : sb->off) {
    bool known = false;
    for (const char *p : sandbox::kProtections) known |= o == p;
    if (!known) {
      *err = fmt::format("unknown protection '{}'", o);
      return false;
    }
  }
  if (sb->scratch_bytes < (1u << 20)) {
    *err = "the scratch directory needs at least 1 MiB";
    return false;
  }
  return true;
}

std::vector<std::string> worker_environment(const WorkerSandbox &sb, char **host_env) {
  if (sb.off.count("env")) {  // the host's whole environment (red-team tests only)
    std::vector<std::string> all;
    for (char **e = host_env; e && *e; ++e)
      if (strncmp(*e, "SX_WORKER_", 10) != 0) all.emplace_back(*e);
    return all;
  }
  auto host_value = [&](const std::string &name) -> const char * {
    for (char **e = host_env; e && *e; ++e)
      if (strncmp(*e, name.c_str(), name.size()) == 0 && (*e)[name.size()] == '=') return *e + name.size() + 1;
    return nullptr;
  };
  std::vector<std::string> env;
  std::set<std::string> named;
  auto set = [&](const std::string &name, const std::string &value) {
    if (!named.insert(name).second) {
      for (auto &e : env)
        if (e.compare(0, name.size() + 1, name + "=") == 0) e = name + "=" + value;
      return;
    }
    env.push_back(name + "=" + value);
  };
  const char *path = host_value("PATH");
  set("PATH", path ? path : "/usr/local/bin:/usr/bin:/bin");
  set("HOME", sandbox::kScratchDir);
  set("TMPDIR", sandbox::kScratchDir);
  // Locale and time zone, and the backends' own settings (SX_CPP_FLAGS,
  // SX_JS_WORKER_DEBUG, …: streamexec's configuration, not the host's).
  for (char **e = host_env; e && *e; ++e) {
    std::string kv = *e;
    std::string name = kv.substr(0, kv.find('='));
    if (kv.find('=') == std::string::npos) continue;
    if (name == "LANG" || name == "LANGUAGE" || name == "TZ" || name.rfind("LC_", 0) == 0 ||
        name.rfind("SX_CPP_", 0) == 0 || name.rfind("SX_JS_", 0) == 0 || name.rfind("SX_PY_", 0) == 0)
      set(name, kv.substr(name.size() + 1));
  }
  for (const auto &e : sb.env) {
    auto eq = e.find('=');
    if (eq != std::string::npos) {
      set(e.substr(0, eq), e.substr(eq + 1));
    } else if (const char *v = host_value(e)) {
      set(e, v);
    }
  }
  return env;
}

std::unique_ptr<WorkerProcess> WorkerProcess::spawn(const std::string &exe, const WorkerLimits &lim,
                                                    const WorkerSandbox &sandbox, std::string *err, bool warm) {
  if (access(exe.c_str(), X_OK) != 0) {
    *err = fmt::format("worker executable {} not found or not executable", exe);
    return nullptr;
  }
  int to_w[2], from_w[2];
  if (!high_pipe(to_w) || !high_pipe(from_w)) {
    *err = fmt::format("pipe: {}", strerror(errno));
    return nullptr;
  }
  // The worker's 0/1/2: stdin /dev/null (units never read the host's
  // input: `streamexec run -` feeds from it), stdout and stderr the host's —
  // as fresh descriptors, since a host may hold them FD_CLOEXEC (node's libuv
  // reopens a terminal so), which would leave them closed in the worker and
  // let its own sockets take fds 0–2.
  int std_out = fcntl(1, F_DUPFD_CLOEXEC, 10);
  if (std_out < 0) std_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  int std_err = fcntl(2, F_DUPFD_CLOEXEC, 10);
  if (std_err < 0) std_err = open("/dev/null", O_WRONLY | O_CLOEXEC);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (std_out >= 0) posix_spawn_file_actions_adddup2(&fa, std_out, 1);
  if (std_err >= 0) posix_spawn_file_actions_adddup2(&fa, std_err, 2);
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

  // Nothing of the host's environment but the allow-list; the worker's
  // limits and sandbox travel in it too (built here, not with setenv: the
  // host is multi-threaded).
  std::vector<std::string> env_store = worker_environment(sandbox, environ);
  env_store.push_back(fmt::format("{}={}", sandbox::kConfigVar, sandbox_config(sandbox).to_json().dump()));
  env_store.push_back(fmt::format("SX_WORKER_RLIMIT_AS={}", lim.memory_bytes));
  env_store.push_back(fmt::format("SX_WORKER_RLIMIT_NOFILE={}", lim.max_open_files));
  if (warm) env_store.push_back("SX_WORKER_WARM=1");
  // Process limit: a cgroup caps the worker and all its descendants whoever
  // they run as; RLIMIT_NPROC counts all the user's tasks (so it is set to
  // what the user has plus the limit) and does not apply to root.
  std::string cgroup, process_limit = "none";
  if (lim.max_processes > 0) {
    std::string why;
    cgroup = make_pids_cgroup(lim.max_processes, &why);
    if (cgroup.empty() && getuid() != 0) {
      env_store.push_back(fmt::format("SX_WORKER_RLIMIT_NPROC={}", user_task_count() + lim.max_processes));
      process_limit = "RLIMIT_NPROC";
    } else if (!cgroup.empty()) {
      // The worker joins it first thing, before it runs anything.
      env_store.push_back(fmt::format("SX_WORKER_CGROUP_PROCS={}/cgroup.procs", cgroup));
      process_limit = "cgroup " + cgroup;
    } else {
      process_limit = "none (" + why + "; RLIMIT_NPROC does not apply to root)";
    }
  }
  std::vector<char *> envp;
  for (auto &s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  char *argv[] = {const_cast<char *>(exe.c_str()), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (std_out >= 0) close(std_out);
  if (std_err >= 0) close(std_err);
  close(to_w[0]);
  close(from_w[1]);
  if (rc != 0) {
    close(to_w[1]);
    close(from_w[0]);
    if (!cgroup.empty()) destroy_cgroup(cgroup);
    *err = fmt::format("posix_spawn {}: {}", exe, strerror(rc));
    return nullptr;
  }
  std::unique_ptr<WorkerProcess> w(new WorkerProcess);
  w->pid_ = pid;
  w->cgroup_ = cgroup;
  w->process_limit_ = process_limit;
  w->to_ = to_w[1];
  w->from_ = from_w[0];
  if (sandbox.off.count("frame_checks")) {  // as before the checks (red-team tests only)
    w->frame_checks_ = false;
    w->reader_ = proto::FrameReader(proto::kMaxFrame);
  }
  fcntl(w->from_, F_SETFL, O_NONBLOCK);
  return w;
}

WorkerProcess::~WorkerProcess() {
  kill_and_reap();
  if (init_fd_ >= 0) close(init_fd_);
  if (to_ >= 0) close(to_);
  if (from_ >= 0) close(from_);
}

bool WorkerProcess::send(const nlohmann::json &msg) {
  if (to_ < 0) return false;
  // The host never dies of SIGPIPE because a worker died: MSG_NOSIGNAL does
  // not apply to pipes, so SIGPIPE is ignored process-wide by the session.
  return proto::write_frame(to_, msg);
}

void block_sigpipe_on_this_thread() {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
}

WorkerProcess::Read WorkerProcess::await_ready(nlohmann::json *ready, int timeout_ms,
                                               std::vector<nlohmann::json> *early) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    Read r = recv(ready, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (r != Read::Frame || ready->value("op", "") != "output") return r;
    early->push_back(std::move(*ready));
  }
}

WorkerProcess::Read WorkerProcess::recv(nlohmann::json *out, int timeout_ms, int wake_fd) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  bool looked_late = false;
  for (;;) {
    if (!violation_.empty() || from_ < 0) return Read::Closed;
    std::string why;
    try {
      if (reader_.next(out)) {
        if (init_fd_ == -2) init_fd_ = open_namespace_init(pid_);
        if (!frame_checks_ || proto::check_reply(*out, &why)) return Read::Frame;
      }
    } catch (const nlohmann::json::exception &) {
      why = "a frame that is not JSON";
    }
    if (why.empty() && reader_.oversized())
      why = fmt::format("a frame larger than {} bytes", reader_.max_frame());
    if (!why.empty()) {
      violation_ = why;
      kill_and_reap();  // it cannot be trusted with another unit
      return Read::Closed;
    }
    // Rounded up, and one look when the time is up: what is there is read
    // (a wait of under 1 ms, rounded down to 0, returned Timeout without
    // looking, forever in a loop of short waits); what comes after is not
    // waited for.
    int wait = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) {
        if (looked_late) return Read::Timeout;
        looked_late = true;
      }
      wait = static_cast<int>(std::max<std::int64_t>(0, left));
    }
    pollfd p[2] = {{from_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int r = poll(p, wake_fd >= 0 ? 2 : 1, wait);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Read::Closed;
    }
    if (r == 0) return Read::Timeout;
    if (p[0].revents == 0) {
      std::uint64_t count;
      ssize_t got = ::read(wake_fd, &count, sizeof count);  // resets it
      (void)got;
      return Read::Woken;
    }
    char buf[65536];
    ssize_t n = read(from_, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return Read::Closed;
    reader_.append(buf, static_cast<std::size_t>(n));
  }
}

void WorkerProcess::kill_from_other_thread(pid_t pid) {
  int init_fd = open_namespace_init(pid);
  if (init_fd < 0) {
    ::kill(pid, SIGKILL);
    return;
  }
  syscall(SYS_pidfd_send_signal, init_fd, SIGKILL, nullptr, 0);
  close(init_fd);
}

void WorkerProcess::signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

bool WorkerProcess::reap(int wait_ms) {
  if (pid_ <= 0 || reaped_) return true;
  auto reaped = [&] {
    pid_t r = waitpid(pid_, &wstatus_, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) reaped_ = true;
    return reaped_;
  };
  if (reaped() || wait_ms <= 0) return reaped_;
  // Woken when it exits (a loop of 5 ms sleeps added 5-10 ms to the end of
  // every session).
  if (int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)); fd >= 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    pollfd p{fd, POLLIN, 0};
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      int r = poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (r < 0 && errno == EINTR) continue;
      break;
    }
    close(fd);
    return reaped();
  }
  for (int waited = 0; waited < wait_ms; waited += 5) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (reaped()) return true;
  }
  return false;
}

void WorkerProcess::reap_or_kill(int grace_ms) {
  // The pipe closes when the worker dies; the process we reap (the
  // PID-namespace relay) follows it within milliseconds and tells how. A
  // unit that closed the pipe and lives on is killed after the grace.
  reap(grace_ms);
  kill_and_reap();
}

void WorkerProcess::kill_and_reap() {
  if (pid_ <= 0) return;
  // Whatever the unit started dies with the worker: its process group (the
  // worker's pid, still reserved while the worker is unreaped) and, if there
  // is one, everything in its cgroup.
  if (init_fd_ == -2 && !reaped_) init_fd_ = open_namespace_init(pid_);
  int init_fd = init_fd_;
  init_fd_ = -1;
  if (init_fd >= 0) {
    // The namespace's init first: once its pidfd is readable it has exited,
    // and the kernel has killed and reaped everything in the namespace. The
    // relay, its parent, reaps it and follows (killing the relay at the same
    // time would leave init a zombie of the host's PID 1).
    syscall(SYS_pidfd_send_signal, init_fd, SIGKILL, nullptr, 0);
    pollfd p{init_fd, POLLIN, 0};
    while (poll(&p, 1, 5000) < 0 && errno == EINTR) {
    }
    close(init_fd);
    reap(1000);
  }
  if (!group_killed_ && !reaped_) {  // once reaped, its pid (the group's id) may be reused
    ::kill(-pid_, SIGKILL);
    group_killed_ = true;
  }
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    while (waitpid(pid_, &wstatus_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  if (!cgroup_.empty()) {
    destroy_cgroup(cgroup_);
    cgroup_.clear();
  }
}

int WorkerProcess::exit_code() const { return reaped_ && WIFEXITED(wstatus_) ? WEXITSTATUS(wstatus_) : -1; }
int WorkerProcess::term_signal() const { return reaped_ && WIFSIGNALED(wstatus_) ? WTERMSIG(wstatus_) : 0; }

std::string WorkerProcess::exit_description() const {
  if (!reaped_) return "still running";
  if (WIFEXITED(wstatus_)) return fmt::format("exited with code {}", WEXITSTATUS(wstatus_));
  if (WIFSIGNALED(wstatus_)) {
    int s = WTERMSIG(wstatus_);
    return fmt::format("killed by signal {} ({})", s, strsignal(s));
  }
  return "ended";
}

std::string WorkerProcess::abandon_start(Read r, const nlohmann::json &reply, int grace_ms) {
  if (r == Read::Closed) reap_or_kill(grace_ms);
  else kill_and_reap();
  std::string said = reply.is_object() ? reply.value("message", "") : "";
  if (r == Read::Closed && !violation_.empty()) said = "protocol violation: " + violation_;
  // A worker that said why it cannot start was killed here: its exit
  // ("killed by signal 9") says nothing about the cause.
  std::string exit = r == Read::Frame && !said.empty() ? "" : exit_description();
  return exit.empty() || said.empty() ? exit + said : exit + ": " + said;
}

}  // namespace sx
