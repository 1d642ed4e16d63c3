// streamexec-worker-jupyter: runs the Python units on a Jupyter kernel
// instead of an embedded CPython (sx_options.python_executor):
//
//   --executor python=jupyter:FILE    an existing kernel, by its connection file
//                                     (its ZeroMQ sockets: zmq_transport.cpp)
//   --executor python=jupyter:http[s]://HOST:PORT[/BASE][#kernel=NAME]
//                                     a new kernel (NAME, default python3) on a
//                                     Jupyter Server, Kernel Gateway or Enterprise
//                                     Gateway: its REST API and websocket
//                                     (gateway_transport.cpp); the token, if the
//                                     server wants one, in SX_JUPYTER_TOKEN (never
//                                     in the URL, which is refused with a query)
//
// The executable speaks our worker protocol (backends/common/protocol.h)
// through the same runtime as the other workers (worker_runtime.h: relay,
// supervisor, interpreter loop), and its "backend" relays each unit to the
// kernel as an execute_request of the Jupyter messaging protocol 5.3 over a
// Transport (kernel_transport.h), then maps the kernel's messages back, the
// same for both forms:
//
//   shell    execute_request (and kernel_info_request at start-up)
//   iopub    stream            -> written to fds 1/2 (our "output" frames)
//            execute_result    -> the unit's value (text/plain; the other
//                                 string-valued MIME types as value_mime)
//            display_data      -> displays
//            error             -> the unit's error: ename, evalue, traceback
//                                 without ANSI colours, line in the answer
//            status idle       -> (with the execute_reply) the unit is done
//   interrupt on SIGINT (the host's interrupt/timeout), repeated each second
//            until the unit ends, and on SIGTERM before exiting: a connection
//            file's kernel gets an interrupt_request on control, a server's
//            kernel POST {BASE}/api/kernels/{id}/interrupt
//   a lost kernel -> "fatal", and the worker ends (the host reports the unit
//            as failed and the worker as lost, as after a crash). A connection
//            file's kernel is lost when its heartbeat is silent for
//            SX_WORKER_JUPYTER_HB_TIMEOUT_MS (default 5000; `--env` sets it);
//            a server's when its websocket closes (Beast pings a silent server
//            after half that time), when the server reports it "restarting"
//            (it died: Jupyter Server restarts it without its state) or
//            "dead", or when GET {BASE}/api/kernels/{id} (once a second while
//            a unit runs) answers 404 or execution_state "dead".
//
// The connection file is read here, in the relay (the process the host
// spawned, outside the sandbox's mount namespace, which hides the host's
// home directory where kernels keep them); a server's kernel is started here
// too (POST {BASE}/api/kernels), so that the guard knows it. The host starts
// this worker with the host's network (the kernel's ports or its server are
// on the host's loopback or elsewhere). The units' code runs in the kernel:
// its isolation is the platform's that runs the kernel, not streamexec's
// sandbox.
//
// When the worker's relay ends (killed: a unit that did not stop at the
// interrupt, the session's end or time-out), a guard process outside the
// worker's process group and cgroup sees it go and stops what the worker
// may have left running on the kernel: one more interrupt_request to a
// connection file's kernel; a server's kernel, which is ours, is deleted
// (DELETE {BASE}/api/kernels/{id}, a moment after the session ended).
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <optional>
#include <poll.h>
#include <random>
#include <regex>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/common/channel.h"
#include "backends/common/protocol.h"
#include "backends/common/worker_internal.h"
#include "backends/common/worker_runtime.h"
#include "backends/jupyter/gateway_url.h"
#include "backends/jupyter/kernel_transport.h"

namespace sx::jupyter {

// --- what both transports share ------------------------------------------------------

std::string random_hex(std::size_t bytes) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string s;
  for (std::size_t i = 0; i < bytes; ++i) s += fmt::format("{:02x}", static_cast<unsigned>(rng() & 0xff));
  return s;
}

namespace {
std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}Z", buf, static_cast<int>(us % 1000000));
}
}  // namespace

std::string Transport::send(Channel ch, const std::string &type, const json &content) {
  std::string id = random_hex(16);
  json header = {{"msg_id", id},      {"session", session_}, {"username", "streamexec"},
                 {"date", iso_now()}, {"msg_type", type},    {"version", "5.3"}};
  send_message(ch, header, content);
  return id;
}

void Transport::wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

}  // namespace sx::jupyter

namespace {

using namespace sx::jupyter;

// --- signals -----------------------------------------------------------------------

volatile sig_atomic_t g_interrupt = 0, g_terminate = 0;
void on_signal(int sig) {
  if (sig == SIGINT) g_interrupt = 1;
  else g_terminate = 1;
}

bool write_all(int fd, const std::string &s) {
  std::size_t at = 0;
  while (at < s.size()) {
    ssize_t w = write(fd, s.data() + at, s.size() - at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    at += static_cast<std::size_t>(w);
  }
  return true;
}

// Terminal colours (ESC [ ... letter) out of a traceback.
std::string strip_ansi(const std::string &s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < s.size() && !(s[j] >= '@' && s[j] <= '~')) ++j;
      i = j;
      continue;
    }
    out += s[i];
  }
  return out;
}

// A MIME bundle's string values (what our protocol carries), without text/plain.
json string_bundle(const json &data, bool with_text) {
  json b = json::object();
  if (!data.is_object()) return b;
  for (const auto &[k, v] : data.items())
    if (v.is_string() && (with_text || k != "text/plain")) b[k] = v;
  return b;
}

int env_int(const char *name, int def) {
  const char *v = getenv(name);
  return v && *v ? atoi(v) : def;
}

// --- the backend ---------------------------------------------------------------------

Timeouts g_timeouts;
bool g_gateway = false;  // SX_WORKER_JUPYTER_CONNECTION is a URL, not a connection file

std::unique_ptr<Transport> make_transport() { return g_gateway ? make_gateway_transport() : make_zmq_transport(); }

class JupyterBackend final : public sx::WorkerBackend {
 public:
  const char *name() const override { return "jupyter"; }

  bool init(std::string *err) override {
    transport_ = make_transport();
    try {
      transport_->connect();
    } catch (const TransportError &e) {
      *err = e.what();
      return false;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: zmq_poll returns at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // kernel_info_request until its status reaches us on iopub (a SUB
    // socket misses what is published before it is connected).
    auto t0 = Clock::now();
    bool info = false, seen_status = false;
    while (!(info && seen_status)) {
      if (ms_since(t0) > g_timeouts.start_ms) {
        *err = fmt::format("{} did not answer within {} ms ({})", transport_->where(), g_timeouts.start_ms,
                           info ? "no iopub status" : "no kernel_info_reply");
        return false;
      }
      std::string id = transport_->send(kShell, "kernel_info_request", json::object());
      auto t1 = Clock::now();
      while (ms_since(t1) < 500 && !(info && seen_status)) {
        Message m;
        Channel which = transport_->poll(100, &m);
        if (which == kLost) {
          *err = transport_->lost_reason();
          return false;
        }
        if (which == kShell && m.type() == "kernel_info_reply") {
          info = true;
          language_ = m.content.value("language_info", json::object()).value("name", "");
        }
        if (which == kIopub && m.type() == "status" && m.parent_id() == id) seen_status = true;
      }
    }
    if (!language_.empty() && language_ != "python") {
      *err = fmt::format("{} runs {}, not python", transport_->where(), language_);
      return false;
    }
    // Values as repr() (our worker's), not IPython's pretty printer; no
    // warning about SystemExit (sys.exit() ends the program, as natively).
    Outcome setup;
    run_cell(
        "get_ipython().display_formatter.formatters['text/plain'].pprint = False\n"
        "import warnings as _sx_w; _sx_w.filterwarnings('ignore', message='To exit: use'); del _sx_w\n",
        -1, true, &setup);
    if (setup.error) {
      *err = "the kernel refused the set-up cell: " + setup.ename + ": " + setup.evalue;
      return false;
    }
    return true;
  }

  void wait_readable(int fd) override { transport_->wait_readable(fd); }

  sx::ExecOutcome execute(const sx::ExecRequest &req) override {
    sx::ExecOutcome o;
    Outcome r;
    run_cell(req.code, req.line, false, &r);
    if (!r.value.empty()) {
      o.has_value = true;
      o.value = r.value;
    }
    if (!r.value_mime.empty()) o.value_mime = r.value_mime.dump();
    if (!r.displays.empty()) o.displays = r.displays.dump();
    if (!r.error) return o;
    if (r.ename == "SystemExit") {
      // sys.exit(): the program ends; IPython says so as an error.
      o.exited = true;
      const std::string &v = r.evalue;
      if (v.empty() || v == "None") o.exit_code = 0;
      else if (v.find_first_not_of("-0123456789") == std::string::npos)
        o.exit_code = ((atoi(v.c_str()) % 256) + 256) % 256;
      else {
        write_all(2, v + "\n");  // as CPython prints a non-integer code
        o.exit_code = 1;
      }
      if (o.exit_code != 0) {
        o.status = sx::Status::Error;
        o.has_error = true;
        o.error.type = "SystemExit";
        o.error.message = "the program exited with code " + std::to_string(o.exit_code);
      }
      return o;
    }
    o.status = r.syntax ? sx::Status::SyntaxError : sx::Status::Error;
    o.has_error = true;
    o.error.type = r.ename;
    o.error.message = r.evalue;
    o.error.line = r.line;
    o.error.traceback = r.traceback;
    return o;
  }

 private:
  struct Outcome {
    std::string value;
    json value_mime = json::object(), displays = json::array();
    bool error = false, syntax = false;
    std::string ename, evalue, traceback;
    int line = 0;
  };

  // Up to `ms` for a message (kNone: none, a timeout or a signal); a lost
  // kernel ends the worker.
  Channel poll_kernel(int ms, Message *m) {
    Channel c = transport_->poll(ms, m);
    if (c == kLost) kernel_lost(transport_->lost_reason());
    return c;
  }

  // "fatal": the host reports the unit as failed and the worker as lost, as after a crash.
  [[noreturn]] void kernel_lost(const std::string &why) {
    sx::quiesce_output();
    sx::chan::send(sx::detail::kChannelFd, {{"op", "fatal"}, {"message", why}});
    _exit(3);
  }

  // Runs one cell; `line` is the answer line of its first line (< 0: a cell
  // of ours, whose output is dropped).
  void run_cell(const std::string &code, int line, bool silent, Outcome *out) {
    json content = {{"code", code},
                    {"silent", silent},
                    {"store_history", !silent},
                    {"user_expressions", json::object()},
                    {"allow_stdin", false},
                    {"stop_on_error", false}};
    std::string id = transport_->send(kShell, "execute_request", content);
    bool idle = false, replied = false;
    auto t_idle = Clock::now();
    std::optional<Clock::time_point> interrupted_at;
    transport_->watch();
    // An interrupt meant for the unit before (it ended meanwhile) is stale.
    g_interrupt = 0;
    while (!(idle && replied)) {
      if (g_terminate) terminate();
      if (g_interrupt) {
        g_interrupt = 0;
        transport_->interrupt();
        interrupted_at = Clock::now();
      } else if (interrupted_at && ms_since(*interrupted_at) > 1000) {
        // The kernel may have been between statements (it ignores SIGINT
        // while idle): ask again until the unit ends.
        transport_->interrupt();
        interrupted_at = Clock::now();
      }
      // A reply without its idle status (or the reverse) for long: done.
      if ((idle || replied) && ms_since(t_idle) > 2000) break;
      Message m;
      Channel which = poll_kernel(50, &m);
      if (which == kNone || m.parent_id() != id) continue;
      std::string type = m.type();
      if (which == kShell && type == "execute_reply") {
        replied = true;
        if (!idle) t_idle = Clock::now();
        if (m.content.contains("execution_count") && m.content["execution_count"].is_number_integer())
          cell_line_[m.content["execution_count"].get<int>()] = line;
        continue;
      }
      if (which != kIopub) continue;
      const json &c = m.content;
      if (type == "status" && c.value("execution_state", "") == "idle") {
        idle = true;
        if (!replied) t_idle = Clock::now();
      } else if (type == "execute_input") {
        if (c.contains("execution_count") && c["execution_count"].is_number_integer())
          cell_line_[c["execution_count"].get<int>()] = line;
      } else if (line >= 0 && type == "stream") {
        std::string text = c.value("text", "");
        write_all(c.value("name", "stdout") == "stderr" ? 2 : 1, text);
      } else if (type == "execute_result") {
        json data = c.value("data", json::object());
        if (data.contains("text/plain") && data["text/plain"].is_string()) out->value = data["text/plain"];
        out->value_mime = string_bundle(data, false);
      } else if (type == "display_data") {
        json b = string_bundle(c.value("data", json::object()), true);
        if (!b.empty()) out->displays.push_back(std::move(b));
      } else if (type == "error") {
        out->error = true;
        out->ename = c.value("ename", "Error");
        out->evalue = c.value("evalue", "");
        std::string tb;
        for (const auto &l : c.value("traceback", json::array()))
          if (l.is_string())
            tb += strip_ansi(l.get<std::string>()) + (l.get<std::string>().ends_with("\n") ? "" : "\n");
        out->traceback = tb;
        locate(out);
      }
    }
  }

  // The error's line in the answer: the last frame of a cell we sent
  // ("Cell In [N], line L"), and SyntaxError's "(123.py, line L)" says
  // "<answer>" and that line, as our own worker does.
  void locate(Outcome *o) {
    static const std::regex frame(R"(Cell In ?\[(\d+)\], line (\d+))");
    for (auto it = std::sregex_iterator(o->traceback.begin(), o->traceback.end(), frame); it != std::sregex_iterator();
         ++it) {
      auto cell = cell_line_.find(std::stoi((*it)[1].str()));
      if (cell != cell_line_.end() && cell->second > 0) o->line = cell->second + std::stoi((*it)[2].str()) - 1;
    }
    bool syntax = o->ename == "SyntaxError" || o->ename == "IndentationError" || o->ename == "TabError";
    o->syntax = syntax && o->traceback.find("Traceback (most recent call last)") == std::string::npos;
    static const std::regex where(R"(\((\d+)\.py, line (\d+)\)$)");
    std::smatch m;
    if (syntax && o->line > 0 && std::regex_search(o->evalue, m, where))
      o->evalue =
          o->evalue.substr(0, static_cast<std::size_t>(m.position(0))) + fmt::format("(<answer>, line {})", o->line);
  }

  // SIGTERM: interrupt what runs, then end as the signal says.
  [[noreturn]] void terminate() {
    transport_->interrupt_before_exit();
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    _exit(143);
  }

  std::unique_ptr<Transport> transport_;
  std::string language_;
  std::map<int, int> cell_line_;  // execution count -> the answer line of the cell's first line
};

// --- the guard ------------------------------------------------------------------------
// A process of its own session, outside the worker's process group and
// cgroup (forked before the runtime joins it): when the worker's relay
// ends — killed by the host or not — it stops what the worker may have left
// running on the kernel (Transport::relay_gone: a connection file's kernel
// gets one more interrupt_request, which it ignores while idle; a kernel we
// started on a server is deleted).
void start_guard() {
  pid_t relay = getpid();
  pid_t g = fork();
  if (g != 0) return;
  setsid();
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3; ++fd) dup2(null_fd, fd);
  close_range(3, ~0U, 0);
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, relay, 0));
  if (pidfd < 0 || getppid() != relay) _exit(0);
  for (;;) {
    pollfd p{pidfd, POLLIN, 0};
    int r = poll(&p, 1, -1);
    if (r > 0) break;
    if (r < 0 && errno != EINTR) _exit(0);
  }
  make_transport()->relay_gone();
  _exit(0);
}

}  // namespace

int main() {
  const char *spec = getenv("SX_WORKER_JUPYTER_CONNECTION");
  g_timeouts.hb_ms = std::max(500, env_int("SX_WORKER_JUPYTER_HB_TIMEOUT_MS", 5000));
  g_timeouts.start_ms = std::max(1000, env_int("SX_WORKER_JUPYTER_START_TIMEOUT_MS", 30000));
  std::string err;
  if (!spec || !*spec) {
    err =
        "no connection file or URL (SX_WORKER_JUPYTER_CONNECTION): the host starts this worker for "
        "--executor python=jupyter:FILE or jupyter:URL";
  } else {
    g_gateway = is_gateway_url(spec);
    if (g_gateway) prepare_gateway(spec, g_timeouts, &err);
    else prepare_zmq(spec, g_timeouts, &err);
  }
  if (!err.empty()) {
    sx::proto::write_frame(sx::proto::kWorkerOutFd, {{"op", "fatal"}, {"message", "jupyter: " + err}});
    return 2;
  }
  if (fcntl(sx::proto::kWorkerOutFd, F_GETFD) >= 0) start_guard();
  JupyterBackend b;
  return sx::worker_main(b);
}
