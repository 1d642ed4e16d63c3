// The interpreter process's loop: requests from the supervisor over the
// private channel, one backend call per unit or program end, replies back.
//
// It has fds 0 (/dev/null), 1/2 (pipes the supervisor reads) and the channel
// (kChannelFd), and nothing of the host. Output needs no framing here: the
// supervisor attributes what arrives on the pipes to the unit that runs; this
// side only makes sure a unit's output has left the pipes before its result
// is sent (quiesce_output).
//
// Programs and fork_per_program (C++): at the first unit of a program the
// interpreter forks. The child runs the program; the parent waits, keeping
// the state from before the program. When the child ends the program with an
// exit status (main returned, exit(), a crash, a kill on interrupt), the
// parent reports it ("program_done", early) and goes on from its own state;
// when the child commits (a program without main, notebook style), the
// parent exits and the child goes on as the interpreter.
#include <cerrno>
#include <climits>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <set>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "backends/common/channel.h"
#include "backends/common/protocol.h"
#include "backends/common/worker_internal.h"

namespace sx {
namespace {

using nlohmann::json;

WorkerBackend *g_backend = nullptr;
int g_capture_read[2] = {-1, -1};  // dups of the pipes' read ends, for FIONREAD only
int g_capture_write[2] = {-1, -1};  // saved write ends, to restore fds 1/2 if a unit closes them
pid_t g_interpreter_pid = 0;       // the process that speaks on the channel
std::int64_t g_output_unit = -1;
bool g_in_program_child = false;
pid_t g_snapshot_parent = 0;
int g_commit_fd = -1;               // program child -> parent: "the state is yours"
bool g_fork_for_program = false;    // the runtime's own fork keeps the channel
// Programs are numbered by the host (fences; raw mode: -1, -2, … one per
// answer); kNoProgram is none.
constexpr int kNoProgram = INT_MIN;
bool g_unannounced = false;  // a program child forked ahead, before its program was known
json g_ready;                // the "ready" message, sent once (send_ready)
std::chrono::steady_clock::time_point g_started;
bool g_ready_sent = false;

void send(const json &m) {
  if (!chan::send(detail::kChannelFd, m)) _exit(3);  // the supervisor is gone
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The host sends the first unit when it hears this: the interpreter is up
// and, with fork_per_program, the first program's process forked and
// prepared (the parent sends it when the child says so).
void send_ready() {
  if (g_ready_sent) return;
  g_ready["startup_ms"] = ms_since(g_started);
  send(g_ready);
  g_ready_sent = true;
}

// A unit that forks (os.fork(), fork()) must not let the child speak for the
// interpreter: the child loses the channel and exits when its copy of the
// unit returns, instead of reporting results.
void after_fork_in_child() {
  if (g_fork_for_program) return;
  close(detail::kChannelFd);
}

// A unit may have closed or replaced fds 1/2 (or 0): put them back.
void restore_std_fds() {
  for (int i = 0; i < 2; ++i) {
    struct stat a, b;
    if (fstat(i + 1, &a) != 0 || fstat(g_capture_write[i], &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
      dup2(g_capture_write[i], i + 1);
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

json error_json(const ErrorInfo &e) {
  return {{"type", e.type}, {"message", e.message}, {"line", e.line}, {"traceback", e.traceback}};
}

// Rich output (ExecOutcome::value_mime / displays, JSON text from the
// backend) into a reply frame; text that does not parse is dropped.
void add_rich(json &frame, const char *key, const std::string &text) {
  if (text.empty()) return;
  json v = json::parse(text, nullptr, false);
  if (!v.is_discarded()) frame[key] = std::move(v);
}

// --- programs in forked children (WorkerBackend::fork_per_program) -----------

// Forks the program's process. Returns true in the child. In the parent it
// returns false once the child is gone: the child ended the program (the
// parent has reported how) — or committed, in which case the parent exits.
// Forked ahead (*program == kNoProgram: while the interpreter waits for
// work, so that a program's first unit does not wait for the fork — a C++
// interpreter's fork was 12-18 ms of it), the child tells the parent its
// program when it learns it (announce_program); *program is then that, and
// *prepared whether it said it was prepared (prepare_program) before.
bool fork_program(int *program, bool *prepared = nullptr) {
  int commit[2];
  if (pipe2(commit, O_CLOEXEC) != 0) return true;  // no snapshot: run in place
  fflush(nullptr);
  g_fork_for_program = true;
  pid_t child = fork();
  g_fork_for_program = false;
  if (child < 0) {
    close(commit[0]);
    close(commit[1]);
    return true;
  }
  if (child == 0) {
    close(commit[0]);
    g_commit_fd = commit[1];
    g_snapshot_parent = getppid();
    g_in_program_child = true;
    g_unannounced = *program == kNoProgram;
    g_interpreter_pid = getpid();
    // Dies with the snapshot parent (which dies with the supervisor) until
    // it commits.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != g_snapshot_parent) _exit(1);
    return true;
  }
  close(commit[1]);
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  // Signals are for the child: the supervisor forwards the host's to the
  // process that spoke last, and a unit's kill(0, …) reaches its process
  // group, this process included. While the program runs, this process
  // holds the state from before it and ignores them.
  struct Ignored {
    int sig;
    struct sigaction old;
  } ignored[] = {{SIGINT, {}}, {SIGTERM, {}}, {SIGHUP, {}}, {SIGQUIT, {}}, {SIGUSR1, {}}, {SIGUSR2, {}},
                 {SIGALRM, {}}, {SIGPIPE, {}}};
  for (auto &i : ignored) {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigaction(i.sig, &ign, &i.old);
  }
  auto restore = [&] {
    for (auto &i : ignored) sigaction(i.sig, &i.old, nullptr);
  };
  bool silent = false;
  // Messages: 'r' prepared (the host may send units), 'p' + the program
  // (announce_program), 'c' committed (the child is the interpreter now),
  // 'd' discarded (it has reported already).
  auto read_messages = [&](bool until_eof) {
    char buf[64];
    ssize_t n;
    do {
      n = read(commit[0], buf, sizeof buf);
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == 'c') _exit(0);
        if (buf[i] == 'd') silent = true;
        if (buf[i] == 'r') {
          if (prepared) *prepared = true;
          send_ready();
        }
        if (buf[i] == 'p' && i + static_cast<ssize_t>(sizeof(int)) < n) {
          std::memcpy(program, buf + i + 1, sizeof(int));
          i += sizeof(int);
        }
      }
    } while (until_eof && (n > 0 || (n < 0 && errno == EINTR)));
  };
  // Non-blocking: a process the program forked may hold the write end.
  fcntl(commit[0], F_SETFL, O_NONBLOCK);
  for (;;) {
    pollfd p[2] = {{pidfd, POLLIN, 0}, {commit[0], POLLIN, 0}};
    int r = poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 50);
    if (r < 0 && errno == EINTR) continue;
    if (p[pidfd >= 0 ? 1 : 0].revents) read_messages(false);
    bool gone = pidfd >= 0 && p[0].revents;  // without a pidfd: polled
    if (pidfd >= 0 && !gone && !silent) continue;
    int st = 0;
    pid_t w = waitpid(child, &st, gone || silent ? 0 : WNOHANG);
    if (w != child) continue;
    read_messages(true);  // what it wrote before it ended
    restore();
    if (pidfd >= 0) close(pidfd);
    close(commit[0]);
    quiesce_output();    // what the program printed goes out before its end
    g_output_unit = -1;  // the child moved the supervisor's attribution
    g_interpreter_pid = getpid();
    // Discarded (it reported), or forked ahead and gone before any program:
    // nothing to say.
    if (silent || *program == kNoProgram) return false;
    json m = {{"op", "program_done"}, {"program", *program}, {"early", true}};
    if (WIFEXITED(st)) {
      int code = WEXITSTATUS(st);
      m["exit_code"] = code;
      m["status"] = code == 0 ? "ok" : "error";
    } else if (WIFSIGNALED(st)) {
      m["signal"] = WTERMSIG(st);
      m["status"] = "crashed";
    }
    send(m);
    return false;
  }
}

void tell_parent(const char *msg, std::size_t n) {
  if (write(g_commit_fd, msg, n) != static_cast<ssize_t>(n)) {
  }
}

// In a child forked ahead: the program it runs, to the parent (which
// reports it if the child ends early). Once.
void announce_program(int program) {
  if (!g_unannounced) return;
  g_unannounced = false;
  char msg[1 + sizeof(int)] = {'p'};
  std::memcpy(msg + 1, &program, sizeof(int));
  tell_parent(msg, sizeof msg);
}

std::int64_t num(const json &j, const char *k, std::int64_t def) {
  return j.contains(k) && j[k].is_number_integer() ? j[k].get<std::int64_t>() : def;
}

}  // namespace

// --- for backends -------------------------------------------------------------

void quiesce_output() {
  if (g_backend) g_backend->flush_output();
  fflush(stdout);
  fflush(stderr);
  // Everything written so far has left the pipes once they are empty: the
  // supervisor has read it (and, being one thread, attributed it) by then.
  // Bounded: a unit's background thread or child may keep writing forever.
  auto t0 = std::chrono::steady_clock::now();
  for (int spins = 0;; ++spins) {
    int pending = 0;
    for (int fd : g_capture_read) {
      int n = 0;
      if (fd >= 0 && ioctl(fd, FIONREAD, &n) == 0) pending += n;
    }
    if (pending == 0) return;
    if (spins < 100) {
      std::this_thread::yield();
    } else {
      if (ms_since(t0) > 5000) return;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

void attribute_output(std::int64_t id) {
  if (id == g_output_unit || id < 0) return;
  quiesce_output();
  g_output_unit = id;
  send({{"op", "attribute"}, {"id", id}});
}

std::int64_t output_unit() { return g_output_unit; }

bool in_program_child() { return g_in_program_child; }

void commit_program() {
  if (!g_in_program_child) return;
  // The parent's exit must not take us along: drop the death signal, tell it,
  // wait until we are reparented (to the supervisor), then tie ourselves to
  // the supervisor's life.
  prctl(PR_SET_PDEATHSIG, 0);
  char c = 'c';
  if (write(g_commit_fd, &c, 1) != 1) {
  }
  close(g_commit_fd);
  g_commit_fd = -1;
  for (int i = 0; i < 2000 && getppid() == g_snapshot_parent; ++i)
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  g_in_program_child = false;
  g_snapshot_parent = 0;
}

void exit_program_process(int code) {
  quiesce_output();
  _exit(code);
}

void discard_program() {
  quiesce_output();
  if (g_in_program_child) {
    char c = 'd';
    if (write(g_commit_fd, &c, 1) != 1) {
    }
  }
  _exit(0);
}

// The program's text in the cwd, as a native run has it (`python3
// answer.py` lists, opens and reads answer.py): each unit, with the text
// before it (comments, blank lines), is appended before it runs. Only in the
// sandbox's scratch directory, never in a directory of the host; and if the
// program changes the file itself, it is left alone from then on.
// Where ProgramFile keeps its descriptor.
constexpr int kHighFd = 200;

class ProgramFile {
 public:
  ProgramFile(const char *name, bool enabled) : name_(name ? name : ""), enabled_(enabled && name) {}
  ~ProgramFile() { drop(); }
  ProgramFile(const ProgramFile &) = delete;
  ProgramFile &operator=(const ProgramFile &) = delete;
  void begin() {
    drop();
    if (!enabled_) return;
    size_ = 0;
    // Kept open for the program: a unit costs one fstat and one write (an
    // open/stat/close per unit was 5-15 % of a tiny unit's round trip).
    fd_ = open(name_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    // Out of the way of the program's own descriptors (its first open()
    // gets the number a native run gives it), where the limit allows.
    if (int high = fd_ >= 0 ? fcntl(fd_, F_DUPFD_CLOEXEC, kHighFd) : -1; high >= 0) {
      close(fd_);
      fd_ = high;
    }
    struct stat st;
    if (fd_ >= 0 && fstat(fd_, &st) == 0) {
      dev_ = st.st_dev;
      ino_ = st.st_ino;
    } else if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  void add(const std::string &lead, const std::string &code) {
    if (fd_ < 0) return;
    struct stat st;
    if (fstat(fd_, &st) != 0 || st.st_dev != dev_ || st.st_ino != ino_) {
      fd_ = -1;  // the program closed the descriptor: its number is not ours any more
      return;
    }
    if (st.st_nlink == 0 || st.st_size != size_) {
      drop();  // removed, renamed over or written by the program
      return;
    }
    std::string text = lead + code;
    if (write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      drop();
      return;
    }
    size_ += static_cast<off_t>(text.size());
  }

 private:
  // Closes the descriptor only if it is still this file's: a unit may have
  // closed it and opened something else under the same number.
  void drop() {
    struct stat st;
    if (fd_ >= 0 && fstat(fd_, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) close(fd_);
    fd_ = -1;
  }
  std::string name_;
  bool enabled_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t size_ = 0;
};

namespace detail {

void run_interpreter(WorkerBackend &backend, const int capture_read[2], const json &sandbox, std::size_t value_cap) {
  g_started = std::chrono::steady_clock::now();
  g_backend = &backend;
  g_interpreter_pid = getpid();
  for (int i = 0; i < 2; ++i) {
    g_capture_read[i] = capture_read[i];
    g_capture_write[i] = fcntl(i + 1, F_DUPFD_CLOEXEC, 10);
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
  // The descriptor table grown to ProgramFile's descriptor now, while this
  // process has one thread: growing it later, with the interpreter's threads
  // (V8's) sharing it, waits for an RCU grace period — it was 15 ms of a
  // JavaScript worker's first unit, after its start-up.
  if (int high = fcntl(0, F_DUPFD_CLOEXEC, kHighFd); high >= 0) close(high);

  std::string err;
  if (!backend.init(&err)) {
    send({{"op", "fatal"}, {"message", std::string(backend.name()) + " init failed: " + err}});
    quiesce_output();
    _exit(2);
  }
  quiesce_output();  // start-up chatter belongs to no unit
  g_ready = {{"op", "ready"}, {"sandbox", sandbox}};
  if (auto g = backend.global_names(); !g.empty()) g_ready["globals"] = g;

  chan::Reader reader(kChannelFd);
  ProgramFile program_file(backend.program_file(), sandbox.value("scratch", false));
  int program = kNoProgram;           // the program whose units ran last
  int ended_program = kNoProgram;     // a program whose process ended early (fork_per_program)
  int returned_program = kNoProgram;  // a program whose top level returned (JavaScript)
  // A program one of whose units failed under stop_on_error: its later units
  // are skipped, also when they come in a later message (the host sends
  // units that close while a batch runs behind it, before its replies).
  int failed_program = kNoProgram;
  json req;
  bool fork_ahead = backend.fork_per_program();
  bool ran_program = false;  // a program began in this process or in one forked from it
  // Messages that came while units ran (look_ahead): a "cut" applies at
  // once, the rest waits its turn here.
  std::deque<json> read_ahead;
  std::set<std::int64_t> cut_units;  // sent, and not to start: the answer was cut
  auto look_ahead = [&] {
    for (;;) {
      pollfd p{kChannelFd, POLLIN, 0};
      if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return;
      json m;
      pid_t from = 0;
      std::string why;
      if (reader.next(&m, &from, &why) != chan::Recv::Message) return;  // the main loop sees what it was
      if (m.value("op", "") != "cut") {
        read_ahead.push_back(std::move(m));
        continue;
      }
      if (m.contains("units") && m["units"].is_array())
        for (const auto &id : m["units"])
          if (id.is_number_integer()) cut_units.insert(id.get<std::int64_t>());
    }
  };
  for (;;) {
    // The next program's process, forked and prepared while there is
    // nothing to do.
    if (fork_ahead && !g_in_program_child && program == kNoProgram) {
      int announced = kNoProgram;
      bool prepared = false;
      if (!fork_program(&announced, &prepared)) {
        if (announced != kNoProgram) {
          ended_program = announced;  // it ran (some of) its units and ended
          ran_program = true;
        } else if (!prepared) {
          fork_ahead = false;  // it died getting ready: fork at programs' first units
        }
        continue;
      }
      if (g_in_program_child) {
        backend.prepare_program(!ran_program);
        tell_parent("r", 1);
        g_ready_sent = true;  // by the parent
      } else {
        fork_ahead = false;  // fork() failed (a process limit): not at every request
      }
    }
    send_ready();
    if (!read_ahead.empty()) {
      req = std::move(read_ahead.front());
      read_ahead.pop_front();
    } else {
      backend.wait_readable(kChannelFd);
      pid_t from = 0;
      std::string why;
      chan::Recv r = reader.next(&req, &from, &why);
      if (r == chan::Recv::Again) continue;
      if (r != chan::Recv::Message) break;  // the supervisor is gone
    }
    std::string op = req.value("op", "");
    if (op == "exec") {
      bool stop_on_error = req.value("stop_on_error", true);
      int prog = static_cast<int>(num(req, "program", -1));
      const json &units = req.contains("units") && req["units"].is_array() ? req["units"] : json::array();
      // Units of a program whose process already ended, or whose top level
      // returned, are not reached.
      bool not_reached = prog == ended_program || prog == returned_program;
      bool failed_before = stop_on_error && prog == failed_program;
      if (!not_reached && prog != program) {
        program = prog;
        ran_program = true;
        program_file.begin();
        backend.begin_program(prog);
        if (g_unannounced) {
          announce_program(prog);
        } else if (backend.fork_per_program()) {
          int forked = prog;  // not forked ahead (the fork failed): now
          if (!fork_program(&forked)) {
            ended_program = prog;  // the child ran (some of) these units and ended
            program = kNoProgram;
            continue;
          }
        }
      }
      bool failed = failed_before, exited = false, returned = false;
      for (const auto &u : units) {
        ExecRequest er;
        er.id = num(u, "id", -1);
        er.code = u.contains("code") && u["code"].is_string() ? u["code"].get<std::string>() : "";
        er.line = static_cast<int>(num(u, "line", 1));
        er.col = static_cast<int>(num(u, "col", 0));
        er.program = prog;
        look_ahead();
        if (cut_units.erase(er.id)) {
          send({{"op", "skipped"}, {"id", er.id}, {"reason", "cut"}});
          continue;
        }
        if (not_reached || exited || returned || (failed && stop_on_error)) {
          send({{"op", "skipped"},
                {"id", er.id},
                {"reason", exited || not_reached || returned ? "not_reached" : "failed_before"}});
          continue;
        }
        program_file.add(u.contains("lead") && u["lead"].is_string() ? u["lead"].get<std::string>() : "", er.code);
        // t_mono_ms: when it starts, on the clock every process of the machine shares
        // (CLOCK_MONOTONIC): the host's t_started_ms, without the trip back.
        send(
            {{"op", "started"},
             {"id", er.id},
             {"t_mono_ms",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count()}});
        g_output_unit = er.id;  // the supervisor attributes from "started" on
        auto ts = std::chrono::steady_clock::now();
        ExecOutcome o = backend.execute(er);
        if (getpid() != g_interpreter_pid) {  // a forked copy of the interpreter finished the unit
          fflush(nullptr);
          _exit(0);
        }
        double exec_ms = ms_since(ts);
        quiesce_output();
        restore_std_fds();
        json done = {{"op", "done"}, {"id", er.id}, {"status", status_name(o.status)}, {"exec_ms", exec_ms}};
        if (o.has_value) done["value"] = proto::cap_text(std::move(o.value), value_cap, "value");
        add_rich(done, "value_mime", o.value_mime);
        add_rich(done, "displays", o.displays);
        if (o.has_error) done["error"] = error_json(o.error);
        if (o.exited) {
          done["exit_code"] = o.exit_code;
          exited = true;
        }
        if (o.defines_main) done["defines_main"] = true;
        if (o.returned) {
          done["returned"] = true;
          returned = true;
        }
        send(done);
        if (o.status != Status::Ok) failed = true;
      }
      if (failed && stop_on_error) failed_program = prog;
      if (exited) ended_program = prog;
      if (returned) returned_program = prog;
    } else if (op == "end_program") {
      ProgramEndRequest pr;
      pr.program = static_cast<int>(num(req, "program", -1));
      pr.unit_id = num(req, "unit", -1);
      pr.failed = req.value("failed", false) == true;
      announce_program(pr.program);
      if (pr.unit_id >= 0) attribute_output(pr.unit_id);
      ProgramOutcome o = backend.end_program(pr);
      quiesce_output();
      restore_std_fds();
      json m = {{"op", "program_done"}, {"program", pr.program}, {"status", status_name(o.status)}};
      if (o.has_exit_code) m["exit_code"] = o.exit_code;
      if (o.has_error) m["error"] = error_json(o.error);
      if (!o.note.empty()) m["note"] = o.note;
      if (o.unit_id >= 0) m["unit"] = o.unit_id;
      add_rich(m, "displays", o.displays);
      send(m);
      program = kNoProgram;  // the next unit begins a new program
      if (o.discard && g_in_program_child) discard_program();
      commit_program();
    }
  }
  backend.flush_output();
  fflush(nullptr);
  _exit(0);
}

}  // namespace detail
}  // namespace sx
