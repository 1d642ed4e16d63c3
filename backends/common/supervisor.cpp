// The supervisor: the only process of a worker that talks to the host.
//
// It owns the host protocol (fds 3/4), reads the interpreter's stdout/stderr
// pipes and forwards them as "output" frames of the unit they belong to, and
// relays requests to the interpreter and its replies back over the private
// channel (channel.h). Nothing the interpreter sends reaches the host as it
// is: each message is checked against what the supervisor expects at that
// point (the units of the batch in order, one result each) and against its
// schema, and re-written field by field. A message that fails is a protocol
// violation: the supervisor tells the host ("fatal"), kills the interpreter
// and exits, so the host restarts the worker and the session goes on.
//
// The interpreter's replies carry no output: output comes only through the
// pipes, attributed to the running unit (or the unit named by an "attribute"
// message, sent after the interpreter made sure the pipes were drained), so a
// unit cannot forge output of another unit or make the host lose its own.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "backends/common/channel.h"
#include "backends/common/protocol.h"
#include "backends/common/worker_internal.h"

namespace sx::detail {
namespace {

using nlohmann::json;

// Bytes of one "output" frame at most.
constexpr std::size_t kOutputChunk = 64u << 10;
// Limits on the text fields of a result (longer ones are cut with a marker).
constexpr std::size_t kMaxErrorMessage = 64u << 10;
constexpr std::size_t kMaxTraceback = 1u << 20;
// Output is not read from the pipes while this much waits for the host.
constexpr std::size_t kHostBacklog = 4u << 20;

class Supervisor {
 public:
  explicit Supervisor(const SupervisorSetup &s) : s_(s), chan_(s.channel) {
    active_ = s.interpreter;
    root_ = s.interpreter;
  }

  [[noreturn]] void run() {
    // Orphans of the interpreter (a committed program child, a unit's
    // daemon) are reparented here and reaped here (as the namespace's init
    // they are anyway).
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    sigfd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    // Nothing here blocks: a slow host or a busy interpreter must not stop
    // the other side (the interpreter may be blocked writing output while
    // the host sends a large unit). Writes queue; output is read only while
    // the host side's backlog is small (so a unit that prints without end
    // is slowed down, not buffered without end).
    for (int fd : {proto::kWorkerInFd, proto::kWorkerOutFd, s_.channel, s_.capture[0], s_.capture[1]})
      fcntl(fd, F_SETFL, O_NONBLOCK);

    for (;;) {
      bool take_output = host_out_.size() - host_out_at_ < kHostBacklog;
      short cap_ev = take_output ? POLLIN : 0;
      pollfd p[6] = {{proto::kWorkerInFd, POLLIN, 0},
                     {s_.channel, static_cast<short>(POLLIN | (chan_out_.empty() ? 0 : POLLOUT)), 0},
                     {s_.capture[0], cap_ev, 0},
                     {s_.capture[1], cap_ev, 0},
                     {sigfd_, POLLIN, 0},
                     {proto::kWorkerOutFd, static_cast<short>(host_out_at_ < host_out_.size() ? POLLOUT : 0), 0}};
      if (poll(p, 6, -1) < 0) continue;
      if (p[5].revents) flush_host();
      // The channel first: a "started"/"attribute" message was sent before
      // the output that follows it (see attribute_output()).
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) read_channel();
      if (p[1].revents & POLLOUT) flush_channel();
      // One read per turn: once a read has emptied a pipe, the interpreter
      // (quiesce_output) may send the next unit's "started" and print its
      // output at once; a second read in the same turn would take that
      // output before the channel says whose it is (the stress test saw
      // unit N+1's line reported as unit N's, about 1 in 4 000 units).
      for (int i = 0; i < 2; ++i)
        if (p[2 + i].revents) read_capture(i, 1);
      if (p[4].revents) read_signals();
      if (p[0].revents) read_host();
    }
  }

 private:
  // --- host -------------------------------------------------------------------
  void to_host(const json &msg) {
    host_out_ += proto::encode_frame(msg);
    flush_host();
  }

  void flush_host() {
    while (host_out_at_ < host_out_.size()) {
      ssize_t n = write(proto::kWorkerOutFd, host_out_.data() + host_out_at_, host_out_.size() - host_out_at_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) {
        host_out_.clear();
        host_out_at_ = 0;
        end_all(3);  // the host is gone
      }
      host_out_at_ += static_cast<std::size_t>(n);
    }
    if (host_out_at_ == host_out_.size()) {
      host_out_.clear();
      host_out_at_ = 0;
    } else if (host_out_at_ > (1u << 20)) {
      host_out_.erase(0, host_out_at_);
      host_out_at_ = 0;
    }
  }

  // Before exiting: what is queued for the host still goes out.
  void flush_host_blocking() {
    fcntl(proto::kWorkerOutFd, F_SETFL, 0);
    while (host_out_at_ < host_out_.size()) {
      ssize_t n = write(proto::kWorkerOutFd, host_out_.data() + host_out_at_, host_out_.size() - host_out_at_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      host_out_at_ += static_cast<std::size_t>(n);
    }
  }

  void to_interpreter(const json &msg) {
    for (auto &r : chan::records(msg)) chan_out_.push_back(std::move(r));
    flush_channel();
  }

  void flush_channel() {
    while (!chan_out_.empty()) {
      chan::Sent r = chan::send_record(s_.channel, chan_out_.front());
      if (r == chan::Sent::Again) return;
      if (r == chan::Sent::Closed) {  // the interpreter is gone; its exit (SIGCHLD) tells how
        chan_out_.clear();
        return;
      }
      chan_out_.pop_front();
    }
  }

  void read_host() {
    char buf[65536];
    for (;;) {
      ssize_t n = read(proto::kWorkerInFd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) end_all(0);  // the host closed the protocol: the session is over
      host_in_.append(buf, static_cast<std::size_t>(n));
    }
    json req;
    for (;;) {
      try {
        if (!host_in_.next(&req)) break;
      } catch (const json::exception &) {
        end_all(2);  // the host does not send garbage; give up rather than guess
      }
      handle_request(req);
    }
    if (host_in_.oversized()) end_all(2);
  }

  void handle_request(const json &req) {
    if (!req.is_object()) return;
    std::string op = req.value("op", "");
    if (op == "shutdown") end_all(0);
    if (op == "exec") {
      // An exec while units are pending or running follows them (the host
      // sends units that closed while a batch runs behind it): its units
      // queue after theirs.
      bool follows = phase_ == Phase::Exec;
      if (!follows) pending_.clear();
      if (req.contains("units") && req["units"].is_array()) {
        for (const auto &u : req["units"]) {
          if (u.is_object() && u.contains("id") && u["id"].is_number_integer()) {
            std::int64_t id = u["id"].get<std::int64_t>();
            pending_.push_back(id);
            max_id_ = std::max(max_id_, id);
          }
        }
      }
      if (!follows) {
        running_ = -1;
        interrupted_ = false;
      }
      phase_ = pending_.empty() && running_ == -1 ? Phase::Idle : Phase::Exec;
    } else if (op == "end_program") {
      phase_ = Phase::End;
      interrupted_ = false;
    } else if (op == "cut") {
      // The answer was cut: units sent and not started are skipped (their
      // "skipped" frames come as usual).
    } else {
      return;  // nothing else is for the interpreter
    }
    to_interpreter(req);
  }

  // --- interpreter --------------------------------------------------------------
  void read_channel() {
    for (;;) {
      json m;
      pid_t from = 0;
      std::string why;
      chan::Recv r = chan_.next(&m, &from, &why);
      if (r == chan::Recv::Again) return;
      if (r == chan::Recv::Closed) return;  // its exit comes as SIGCHLD
      if (r == chan::Recv::Violation) violation(why);
      if (from > 0) active_ = from;
      try {
        handle_reply(m);
      } catch (const json::exception &e) {  // a field of the wrong type that a check missed
        violation(std::string("a malformed message (") + e.what() + ")");
      }
    }
  }

  static bool is_int(const json &m, const char *k) { return m.contains(k) && m[k].is_number_integer(); }
  static bool opt_string(const json &m, const char *k) { return !m.contains(k) || m[k].is_string(); }

  // A reply's rich output (value_mime, displays: MIME bundles of strings),
  // checked and copied within kMaxRich bytes in all; a bundle that does not
  // fit keeps its text/plain and says what was dropped.
  static constexpr std::size_t kMaxRich = 4u << 20;
  void rich(const json &m, json *f) {
    std::size_t budget = kMaxRich;
    auto bundle = [&](const json &b) {
      if (!b.is_object()) violation("a MIME bundle that is not an object");
      json out = json::object();
      std::size_t size = 0;
      for (const auto &[type, data] : b.items()) {
        if (!data.is_string()) violation("a MIME bundle entry that is not a string");
        size += type.size() + data.get_ref<const std::string &>().size();
      }
      if (size <= budget) {
        budget -= size;
        return b;
      }
      std::string plain = b.contains("text/plain") ? capped(b["text/plain"], 1024, "text/plain") : "";
      out["text/plain"] = plain + "\n[streamexec: rich output dropped: over " + std::to_string(kMaxRich >> 20) +
                          " MiB in one reply]";
      return out;
    };
    if (m.contains("value_mime")) (*f)["value_mime"] = bundle(m["value_mime"]);
    if (m.contains("displays")) {
      if (!m["displays"].is_array()) violation("displays that are not an array");
      json list = json::array();
      for (const auto &b : m["displays"]) list.push_back(bundle(b));
      (*f)["displays"] = std::move(list);
    }
  }

  static std::string capped(std::string s, std::size_t max, const char *what) {
    return proto::cap_text(std::move(s), max, what);
  }

  // An error object {type, message, line, traceback}, re-built from its fields.
  json error_of(const json &e) {
    if (!e.is_object() || !opt_string(e, "type") || !opt_string(e, "message") || !opt_string(e, "traceback") ||
        (e.contains("line") && !e["line"].is_number_integer()))
      violation("an error field of the wrong type");
    return {{"type", capped(e.value("type", ""), 256, "error type")},
            {"message", capped(e.value("message", ""), kMaxErrorMessage, "error message")},
            {"line", e.value("line", 0)},
            {"traceback", capped(e.value("traceback", ""), kMaxTraceback, "traceback")}};
  }

  void handle_reply(const json &m) {
    if (!m.contains("op") || !m["op"].is_string()) violation("a message without an op");
    std::string op = m["op"];
    if (op == "ready") {
      if (ready_sent_) violation("a second ready");
      ready_sent_ = true;
      json r = {{"op", "ready"},
                {"pid_namespace", s_.pid_namespace},
                {"startup_ms", m.contains("startup_ms") && m["startup_ms"].is_number() ? m["startup_ms"] : json(0.0)}};
      // The sandbox's report, from before any unit ran: flags and notes.
      if (m.contains("sandbox") && m["sandbox"].is_object() && m["sandbox"].dump().size() < 16384)
        r["sandbox"] = m["sandbox"];
      if (m.contains("globals") && m["globals"].is_array()) {
        json g = json::array();
        for (const auto &n : m["globals"])
          if (n.is_string() && n.get_ref<const std::string &>().size() < 256 && g.size() < 8192) g.push_back(n);
        r["globals"] = g;
      }
      to_host(r);
    } else if (op == "fatal") {
      to_host({{"op", "fatal"}, {"message", capped(m.value("message", ""), kMaxErrorMessage, "message")}});
    } else if (op == "attribute") {
      if (!is_int(m, "id")) violation("attribute without an integer id");
      std::int64_t id = m["id"];
      if (id < 0 || id > max_id_) violation("attribute to a unit that was never sent");
      set_output_unit(id);
    } else if (op == "started") {
      if (phase_ != Phase::Exec || running_ != -1 || pending_.empty() || !is_int(m, "id") ||
          m["id"].get<std::int64_t>() != pending_.front())
        violation("started for a unit that is not next");
      running_ = pending_.front();
      pending_.pop_front();
      set_output_unit(running_);
      json started = {{"op", "started"}, {"id", running_}};
      if (m.contains("t_mono_ms") && m["t_mono_ms"].is_number() && std::isfinite(m["t_mono_ms"].get<double>()))
        started["t_mono_ms"] = m["t_mono_ms"];
      to_host(started);
    } else if (op == "skipped") {
      if (phase_ != Phase::Exec || running_ != -1 || pending_.empty() || !is_int(m, "id") ||
          m["id"].get<std::int64_t>() != pending_.front())
        violation("skipped for a unit that is not next");
      json f = {{"op", "skipped"}, {"id", pending_.front()}};
      if (m.contains("reason") && m["reason"].is_string()) f["reason"] = capped(m["reason"], 1024, "reason");
      pending_.pop_front();
      if (pending_.empty()) phase_ = Phase::Idle;
      to_host(f);
    } else if (op == "done") {
      if (phase_ != Phase::Exec || running_ < 0 || !is_int(m, "id") || m["id"].get<std::int64_t>() != running_)
        violation("done for a unit that is not running");
      if (!m.contains("status") || !m["status"].is_string()) violation("done without a status");
      std::string st = m["status"];
      if (st != "ok" && st != "error" && st != "syntax_error") violation("done with an unknown status");
      json f = {{"op", "done"}, {"id", running_}, {"status", st}};
      if (m.contains("exec_ms") && m["exec_ms"].is_number()) f["exec_ms"] = m["exec_ms"];
      if (m.contains("value")) {
        if (!m["value"].is_string()) violation("a value that is not a string");
        f["value"] = capped(m["value"], s_.value_cap, "value");
      }
      if (m.contains("error")) f["error"] = error_of(m["error"]);
      if (m.contains("exit_code")) {
        if (!m["exit_code"].is_number_integer()) violation("an exit code that is not an integer");
        f["exit_code"] = m["exit_code"];
      }
      if (m.value("defines_main", false) == true) f["defines_main"] = true;
      rich(m, &f);
      if (m.value("returned", false) == true) f["returned"] = true;
      running_ = -1;
      if (pending_.empty()) phase_ = Phase::Idle;
      to_host(f);
    } else if (op == "program_done") {
      // After the end request, or at any time from a program's parent
      // process when the program's process ended first ("early").
      bool early = m.value("early", false) == true;
      if (phase_ != Phase::End && !early) violation("program_done without an end request");
      if (!is_int(m, "program")) violation("program_done without a program");
      json f = {{"op", "program_done"}, {"program", m["program"]}, {"early", early}};
      std::string st = m.value("status", "ok");
      if (st != "ok" && st != "error" && st != "crashed" && st != "timeout") violation("program_done with an unknown status");
      f["status"] = st;
      if (m.contains("exit_code")) {
        if (!m["exit_code"].is_number_integer()) violation("an exit code that is not an integer");
        f["exit_code"] = m["exit_code"];
      }
      if (m.contains("signal")) {
        if (!m["signal"].is_number_integer()) violation("a signal that is not an integer");
        f["signal"] = m["signal"];
      }
      if (m.contains("error")) f["error"] = error_of(m["error"]);
      if (m.contains("note") && m["note"].is_string()) f["note"] = capped(m["note"], 1024, "note");
      if (is_int(m, "unit")) f["unit"] = m["unit"];
      if (interrupted_) f["interrupted"] = true;
      rich(m, &f);
      phase_ = Phase::Idle;
      pending_.clear();
      running_ = -1;
      to_host(f);
    } else {
      violation("unknown op '" + capped(op, 64, "op") + "'");
    }
  }

  // --- output ---------------------------------------------------------------------
  // Output from now on belongs to `id`: what is held back of the previous
  // unit (an incomplete UTF-8 sequence at the end of a read) goes out first.
  void set_output_unit(std::int64_t id) {
    if (id == out_id_) return;
    for (int i = 0; i < 2; ++i) {
      if (!held_[i].empty()) {
        send_output(i, held_[i]);
        held_[i].clear();
      }
    }
    out_id_ = id;
  }

  void send_output(int stream, const std::string &text) {
    static const char *names[2] = {"stdout", "stderr"};
    to_host({{"op", "output"}, {"id", out_id_}, {"stream", names[stream]}, {"text", text}});
  }

  // Length of the longest prefix of s that does not end inside a UTF-8
  // sequence (a sequence cut by the read is completed by the next one).
  static std::size_t complete_utf8(const std::string &s) {
    std::size_t n = s.size();
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
      unsigned char c = static_cast<unsigned char>(s[n - back]);
      if ((c & 0xc0) == 0x80) continue;  // continuation byte: look further back
      std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      return len > back ? n - back : n;
    }
    return n;
  }

  // Reads what is in pipe i (at most `rounds` reads, then the channel gets
  // a turn). false once it is empty or every writer is gone.
  bool read_capture(int i, int rounds = 16) {
    char buf[kOutputChunk];
    for (int k = 0; k < rounds; ++k) {
      ssize_t n = read(s_.capture[i], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // EAGAIN, or every writer is gone
      std::string text = held_[i];
      text.append(buf, static_cast<std::size_t>(n));
      std::size_t whole = complete_utf8(text);
      held_[i] = text.substr(whole);
      text.resize(whole);
      if (!text.empty()) send_output(i, text);
    }
    return true;
  }

  void drain_capture() {
    for (int i = 0; i < 2; ++i) {
      while (read_capture(i, 1 << 20)) {
      }
      if (!held_[i].empty()) send_output(i, held_[i]);
      held_[i].clear();
    }
  }

  // --- signals and children ----------------------------------------------------------
  void read_signals() {
    signalfd_siginfo si;
    while (read(sigfd_, &si, sizeof si) == sizeof si) {
      int sig = static_cast<int>(si.ssi_signo);
      if (sig == SIGCHLD) {
        reap();
      } else if (s_.pid_namespace && si.ssi_pid != 0) {
        // As PID 1 we see the sender's pid only when it is a member of our
        // namespace (the relay's forwarded signals come with pid 0): a unit
        // signalling us. Dropped.
      } else {
        // The host's interrupt (SIGINT) and the rest go to the process
        // running the units; the backend decides what they mean.
        if (sig == SIGINT) interrupted_ = true;
        if (active_ > 0) kill(active_, sig);
      }
    }
  }

  void reap() {
    for (;;) {
      int st = 0;
      pid_t p = waitpid(-1, &st, WNOHANG);
      if (p <= 0) return;
      if (p == active_ || (p == root_ && !ready_sent_)) {
        // The interpreter died (crash, exit(), killed): the host learns how
        // from our own exit status, after the output it left behind.
        drain_capture();
        exit_with(st);
      }
      // A committed program's parent, a unit's orphaned child: nothing to say.
    }
  }

  [[noreturn]] void violation(const std::string &why) {
    drain_capture();
    to_host({{"op", "fatal"}, {"message", "protocol violation by the interpreter: " + why}});
    end_all(3);
  }

  // Kills the interpreter and everything it started, then exits.
  [[noreturn]] void end_all(int code) {
    if (s_.pid_namespace) kill(-1, SIGKILL);  // everything in our namespace but us
    else if (active_ > 0) kill(active_, SIGKILL);
    if (root_ > 0) kill(root_, SIGKILL);
    exit_with(code << 8);  // a wait status saying "exited with code"
  }

  // Ends the supervisor so that the host sees `wstatus`. As the namespace's
  // init we cannot die of a signal we raise ourselves: the relay does it
  // for us, told through the status pipe.
  [[noreturn]] void exit_with(int wstatus) {
    flush_host_blocking();
    if (s_.pid_namespace) {
      if (write(s_.status_fd, &wstatus, sizeof wstatus) != sizeof wstatus) _exit(1);
      _exit(0);  // the kernel kills whatever is left in the namespace
    }
    exit_like(wstatus);
  }

  // This process's pid as the host sees it (/proc is the host's mount).
  const SupervisorSetup &s_;
  chan::Reader chan_;
  proto::FrameReader host_in_;
  int sigfd_ = -1;
  std::string host_out_;            // frames not yet written to the host
  std::size_t host_out_at_ = 0;
  std::deque<std::string> chan_out_;  // records not yet sent to the interpreter
  pid_t active_ = -1;  // the interpreter process that spoke last
  pid_t root_ = -1;    // the first interpreter process
  bool ready_sent_ = false;
  bool interrupted_ = false;  // SIGINT since the last request
  enum class Phase { Idle, Exec, End } phase_ = Phase::Idle;
  std::deque<std::int64_t> pending_;  // units of the batch not yet started or skipped
  std::int64_t running_ = -1;
  std::int64_t max_id_ = -1;
  std::int64_t out_id_ = -1;  // the unit output belongs to
  std::string held_[2];       // an incomplete UTF-8 sequence per stream
};

}  // namespace

void run_supervisor(const SupervisorSetup &s) {
  static Supervisor sup(s);
  sup.run();
}

}  // namespace sx::detail
