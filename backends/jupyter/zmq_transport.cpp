// The kernel's own ZeroMQ sockets, from its connection file
// (`--executor python=jupyter:FILE`): shell, iopub, control and the
// heartbeat, messages signed with HMAC-SHA256 of the file's key (replies'
// signatures are checked; a bad one is dropped). A kernel whose heartbeat is
// silent for Timeouts::hb_ms is lost.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zmq.hpp>

#include "backends/jupyter/kernel_transport.h"

namespace sx::jupyter {
namespace {

struct Connection {
  std::string path, transport = "tcp", ip = "127.0.0.1", key, scheme = "hmac-sha256";
  int shell = 0, iopub = 0, control = 0, hb = 0;

  std::string endpoint(int port) const {
    if (transport == "ipc") return fmt::format("ipc://{}-{}", ip, port);
    return fmt::format("{}://{}:{}", transport, ip, port);
  }
};

Connection g_conn;
Timeouts g_timeouts;

bool read_connection(const std::string &path, Connection *c, std::string *err) {
  std::ifstream in(path);
  if (!in) {
    *err = fmt::format("cannot read the connection file {}: {}", path, strerror(errno));
    return false;
  }
  json j = json::parse(in, nullptr, false);
  if (!j.is_object()) {
    *err = fmt::format("the connection file {} is not a JSON object", path);
    return false;
  }
  c->path = path;
  auto str = [&](const char *k, std::string *out) {
    if (j.contains(k) && j[k].is_string()) *out = j[k].get<std::string>();
  };
  str("transport", &c->transport);
  str("ip", &c->ip);
  str("key", &c->key);
  str("signature_scheme", &c->scheme);
  for (auto [name, port] : {std::pair{"shell_port", &c->shell},
                            {"iopub_port", &c->iopub},
                            {"control_port", &c->control},
                            {"hb_port", &c->hb}}) {
    if (!j.contains(name) || !j[name].is_number_integer()) {
      *err = fmt::format("the connection file {} has no {}", path, name);
      return false;
    }
    *port = j[name].get<int>();
  }
  if (!c->key.empty() && c->scheme != "hmac-sha256") {
    *err = fmt::format("signature scheme {} is not supported (hmac-sha256 is)", c->scheme);
    return false;
  }
  return true;
}

class ZmqTransport final : public Transport {
 public:
  std::string where() const override { return "the kernel of " + g_conn.path; }

  void connect() override {
    // ZeroMQ's I/O threads must not take the host's signals: they are
    // created with SIGINT/SIGTERM blocked; only this thread takes them.
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    try {
      shell_ = zmq::socket_t(ctx_, zmq::socket_type::dealer);
      control_ = zmq::socket_t(ctx_, zmq::socket_type::dealer);
      iopub_ = zmq::socket_t(ctx_, zmq::socket_type::sub);
      hb_ = zmq::socket_t(ctx_, zmq::socket_type::req);
      for (auto *s : {&shell_, &control_, &iopub_, &hb_}) s->set(zmq::sockopt::linger, 0);
      shell_.set(zmq::sockopt::routing_id, session_);
      control_.set(zmq::sockopt::routing_id, session_);
      iopub_.set(zmq::sockopt::subscribe, "");
      // Ping again after a lost pong without recreating the socket.
      hb_.set(zmq::sockopt::req_relaxed, 1);
      hb_.set(zmq::sockopt::req_correlate, 1);
      shell_.connect(g_conn.endpoint(g_conn.shell));
      control_.connect(g_conn.endpoint(g_conn.control));
      iopub_.connect(g_conn.endpoint(g_conn.iopub));
      hb_.connect(g_conn.endpoint(g_conn.hb));
    } catch (const zmq::error_t &e) {
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
      throw TransportError(fmt::format("cannot connect to the kernel of {}: {}", g_conn.path, e.what()));
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  // Pinging the heartbeat meanwhile; zmq_poll returns at once on a signal.
  Channel poll(int ms, Message *m) override {
    zmq::pollitem_t items[] = {{shell_.handle(), 0, ZMQ_POLLIN, 0},
                               {iopub_.handle(), 0, ZMQ_POLLIN, 0},
                               {control_.handle(), 0, ZMQ_POLLIN, 0},
                               {hb_.handle(), 0, ZMQ_POLLIN, 0}};
    if (!heartbeat()) return kLost;
    int rc = zmq_poll(items, 4, ms);
    if (rc <= 0) return kNone;  // timeout or EINTR
    if (items[3].revents & ZMQ_POLLIN) {
      zmq::message_t pong;  // one reply per ping (a REQ socket refuses a second recv)
      if (hb_.recv(pong, zmq::recv_flags::dontwait)) {
        last_pong_ = Clock::now();
        ping_out_ = false;
      }
    }
    for (int i = 0; i < 3; ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      if (recv(i == 0 ? shell_ : i == 1 ? iopub_ : control_, m)) return static_cast<Channel>(i + 1);
    }
    return kNone;
  }

  void watch() override {
    // Nothing was pinged between units: the heartbeat's clock starts now.
    last_pong_ = Clock::now();
    ping_out_ = false;
    last_ping_ = {};
    hb_armed_ = true;
  }

  void interrupt() override { send(kControl, "interrupt_request", json::object()); }

  void interrupt_before_exit() override { interrupt_and_wait(300); }

  // The guard: one more interrupt_request (a kernel ignores SIGINT while
  // idle: harmless if nothing runs).
  void relay_gone() override {
    try {
      connect();
      interrupt_and_wait(2000);
    } catch (const std::exception &) {
    }
  }

 private:
  void interrupt_and_wait(int ms) {
    interrupt();
    Message m;
    for (auto t0 = Clock::now(); ms_since(t0) < ms;)
      if (poll(50, &m) == kControl && m.type() == "interrupt_reply") break;
  }

  void send_message(Channel ch, const json &header, const json &content) override {
    std::string parts[4] = {header.dump(), "{}", "{}", content.dump(-1, ' ', false, json::error_handler_t::replace)};
    std::vector<zmq::const_buffer> frames;
    std::string delim = "<IDS|MSG>", sig = sign(parts);
    frames.emplace_back(delim.data(), delim.size());
    frames.emplace_back(sig.data(), sig.size());
    for (auto &p : parts) frames.emplace_back(p.data(), p.size());
    zmq::socket_t &s = ch == kControl ? control_ : shell_;
    for (std::size_t i = 0; i < frames.size(); ++i)
      s.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }

  // One message from `s`; false if none, or if its signature or form is bad
  // (dropped).
  bool recv(zmq::socket_t &s, Message *m) {
    std::vector<std::string> frames;
    for (;;) {
      zmq::message_t part;
      auto r = s.recv(part, frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
      if (!r) return false;
      frames.emplace_back(part.to_string());
      if (!part.more()) break;
    }
    std::size_t d = 0;
    while (d < frames.size() && frames[d] != "<IDS|MSG>") ++d;
    if (d + 6 > frames.size()) return false;
    std::string parts[4] = {frames[d + 2], frames[d + 3], frames[d + 4], frames[d + 5]};
    if (!g_conn.key.empty() && sign(parts) != frames[d + 1]) return false;
    m->header = json::parse(parts[0], nullptr, false);
    m->parent = json::parse(parts[1], nullptr, false);
    m->metadata = json::parse(parts[2], nullptr, false);
    m->content = json::parse(parts[3], nullptr, false);
    return m->header.is_object() && m->content.is_object();
  }

  static std::string sign(const std::string (&parts)[4]) {
    if (g_conn.key.empty()) return "";
    std::string data = parts[0] + parts[1] + parts[2] + parts[3];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), g_conn.key.data(), static_cast<int>(g_conn.key.size()),
         reinterpret_cast<const unsigned char *>(data.data()), data.size(), mac, &n);
    std::string hex;
    for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", mac[i]);
    return hex;
  }

  // Pings every 500 ms (again after 1 s without a pong); false when the
  // kernel has been silent for too long.
  bool heartbeat() {
    auto now = Clock::now();
    if (!ping_out_ && std::chrono::duration<double, std::milli>(now - last_ping_).count() >= 500) {
      hb_.send(zmq::str_buffer("ping"), zmq::send_flags::dontwait);
      last_ping_ = now;
      ping_out_ = true;
    } else if (ping_out_ && std::chrono::duration<double, std::milli>(now - last_ping_).count() >= 1000) {
      // A lost ping: ask again (REQ_RELAXED), the silence counts on.
      hb_.send(zmq::str_buffer("ping"), zmq::send_flags::dontwait);
      last_ping_ = now;
    }
    if (hb_armed_ && std::chrono::duration<double, std::milli>(now - last_pong_).count() > g_timeouts.hb_ms) {
      lost_ = fmt::format("the Jupyter kernel of {} stopped answering its heartbeat ({} ms)", g_conn.path,
                          g_timeouts.hb_ms);
      return false;
    }
    return true;
  }

  zmq::context_t ctx_{1};
  zmq::socket_t shell_, control_, iopub_, hb_;
  Clock::time_point last_ping_{}, last_pong_ = Clock::now();
  bool ping_out_ = false;
  bool hb_armed_ = false;
};

}  // namespace

bool prepare_zmq(const std::string &path, const Timeouts &t, std::string *err) {
  g_timeouts = t;
  return read_connection(path, &g_conn, err);
}

std::unique_ptr<Transport> make_zmq_transport() { return std::make_unique<ZmqTransport>(); }

}  // namespace sx::jupyter
