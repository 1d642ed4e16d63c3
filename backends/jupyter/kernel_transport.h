// How streamexec-worker-jupyter reaches a kernel: the messages of the Jupyter
// messaging protocol 5.3 go over a Transport, which is either the kernel's
// own ZeroMQ sockets (a connection file: zmq_transport.cpp) or a Jupyter
// Server / Kernel Gateway / Enterprise Gateway's REST API and websocket
// (gateway_transport.cpp). jupyter_worker.cpp turns units into
// execute_requests and the kernel's messages back into results, the same for
// both.
#ifndef STREAMEXEC_BACKENDS_JUPYTER_KERNEL_TRANSPORT_H
#define STREAMEXEC_BACKENDS_JUPYTER_KERNEL_TRANSPORT_H

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace sx::jupyter {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The kernel's channels; poll() returns the one a message came on, kNone for
// none (a timeout, a signal) or kLost when the kernel is gone (lost_reason()).
enum Channel { kLost = -1, kNone = 0, kShell = 1, kIopub = 2, kControl = 3 };

struct Message {
  json header, parent, metadata, content;
  std::string type() const { return header.value("msg_type", ""); }
  std::string parent_id() const { return parent.is_object() ? parent.value("msg_id", "") : ""; }
};

// A failure to reach the kernel; what() names it (a file or a URL, never a token).
struct TransportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string random_hex(std::size_t bytes);

struct Timeouts {
  int hb_ms = 5000;      // SX_WORKER_JUPYTER_HB_TIMEOUT_MS: a kernel silent that long is dead
  int start_ms = 30000;  // SX_WORKER_JUPYTER_START_TIMEOUT_MS: start-up (a new kernel, kernel_info)
};

class Transport {
 public:
  virtual ~Transport() = default;
  // "the kernel of FILE", "the kernel ID at URL": for messages.
  virtual std::string where() const = 0;
  // Connects to the kernel; throws TransportError.
  virtual void connect() = 0;
  // Sends a message of `type` on `ch` (shell or control); its msg_id.
  std::string send(Channel ch, const std::string &type, const json &content);
  // Waits up to `ms` for one message (see Channel). Watches the kernel's
  // life meanwhile once watch() was called.
  virtual Channel poll(int ms, Message *m) = 0;
  // Until now, the kernel was not expected to answer (start-up has its own
  // time limit): its silence counts from here.
  virtual void watch() = 0;
  const std::string &lost_reason() const { return lost_; }
  // Asks the kernel to interrupt what it runs.
  virtual void interrupt() = 0;
  // The worker is ending after SIGTERM: a last interrupt, given a moment to arrive.
  virtual void interrupt_before_exit() = 0;
  // Between units: returns when `fd` is readable (a websocket answers the
  // server's pings meanwhile).
  virtual void wait_readable(int fd);
  // In the guard process, after the worker's relay ended: stop what the
  // worker may have left running on the kernel (a fresh connection).
  virtual void relay_gone() = 0;

 protected:
  virtual void send_message(Channel ch, const json &header, const json &content) = 0;
  std::string session_ = random_hex(16);
  std::string lost_;
};

// The two forms of SX_WORKER_JUPYTER_CONNECTION. prepare_*() runs in the
// relay before the guard is forked: it reads the connection file, or starts
// a kernel on the server of the URL (false and *err if it cannot);
// make_*() then makes a transport to that kernel, in any process.
bool prepare_zmq(const std::string &path, const Timeouts &t, std::string *err);
std::unique_ptr<Transport> make_zmq_transport();
bool prepare_gateway(const std::string &url, const Timeouts &t, std::string *err);
std::unique_ptr<Transport> make_gateway_transport();

}  // namespace sx::jupyter

#endif
