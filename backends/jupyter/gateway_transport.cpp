// A kernel behind a Jupyter Server, Kernel Gateway or Enterprise Gateway
// (`--executor python=jupyter:http[s]://HOST:PORT[/BASE][#kernel=NAME]`):
//
//   POST   {BASE}/api/kernels {"name": NAME}   starts our kernel (prepare_gateway, in the relay)
//   GET    {BASE}/api/kernels/{id}/channels    the websocket: every channel's messages as JSON
//                                              text frames with a "channel" field
//   POST   {BASE}/api/kernels/{id}/interrupt   an interrupt (the server signals or messages the kernel)
//   GET    {BASE}/api/kernels/{id}             once a second while a unit runs: 404 or
//                                              execution_state "dead" is a lost kernel
//   DELETE {BASE}/api/kernels/{id}             by the guard, when the worker's relay ends
//
// The REST calls use libcurl (Debian's is built without websockets); the
// websocket is Boost.Beast's over Boost.Asio (header-only; TLS through
// OpenSSL). The token (SX_JUPYTER_TOKEN) goes in an "Authorization: token"
// header, never in a URL or a message. The kernel is lost when the
// websocket closes (Beast pings the server when it is silent for
// Timeouts::hb_ms and gives up after as long again), when the server
// reports it restarting or dead (a kernel that died is restarted by Jupyter
// Server without its state), or when the REST API says it is gone.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <curl/curl.h>
#include <fmt/format.h>

#include "backends/jupyter/gateway_url.h"
#include "backends/jupyter/kernel_transport.h"

namespace sx::jupyter {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct Gateway {
  GatewayUrl url;
  std::string token;  // SX_JUPYTER_TOKEN
  std::string ca;     // SX_JUPYTER_CA_FILE's certificates (PEM), read in the relay
  std::string kernel_id;
};
Gateway g_gw;
Timeouts g_timeouts;

// --- REST (libcurl) ----------------------------------------------------------------------

class Rest {
 public:
  struct Reply {
    long status = 0;  // 0: no answer (error says why)
    std::string body, error;
  };

  Rest() : h_(curl_easy_init()) {}
  ~Rest() { curl_easy_cleanup(h_); }
  Rest(const Rest &) = delete;
  Rest &operator=(const Rest &) = delete;

  // One call of the server's REST API; the connection is kept for the next.
  Reply call(const char *method, const std::string &path, const std::string &body, long timeout_ms) {
    Reply r;
    if (!h_) {
      r.error = "curl_easy_init failed";
      return r;
    }
    curl_easy_reset(h_);
    std::string url = g_gw.url.base() + path;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_slist *headers = curl_slist_append(nullptr, "Content-Type: application/json");
    std::string auth = "Authorization: token " + g_gw.token;
    if (!g_gw.token.empty()) headers = curl_slist_append(headers, auth.c_str());
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers);
    if (std::strcmp(method, "POST") == 0) curl_easy_setopt(h_, CURLOPT_COPYPOSTFIELDS, body.c_str());
    else if (std::strcmp(method, "GET") != 0) curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h_, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
    curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h_, CURLOPT_USERAGENT, "streamexec-worker-jupyter");
    curl_easy_setopt(h_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_blob ca{g_gw.ca.data(), g_gw.ca.size(), CURL_BLOB_NOCOPY};
    if (!g_gw.ca.empty()) curl_easy_setopt(h_, CURLOPT_CAINFO_BLOB, &ca);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(
        h_, CURLOPT_WRITEFUNCTION, +[](char *p, size_t size, size_t n, void *out) {
          static_cast<std::string *>(out)->append(p, size * n);
          return size * n;
        });
    CURLcode rc = curl_easy_perform(h_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      r.error = *errbuf ? errbuf : curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  // Why a call failed, for the host: names the server's URL, never the token.
  static std::string failure(const char *what, const Reply &r) {
    const std::string at = g_gw.url.base();
    if (r.status == 0) return fmt::format("cannot reach the Jupyter server at {} ({}): {}", at, what, r.error);
    if (r.status == 401 || r.status == 403)
      return fmt::format(
          "the Jupyter server at {} refused {} (HTTP {}): {}", at, what, r.status,
          g_gw.token.empty() ? "it wants a token: set SX_JUPYTER_TOKEN" : "wrong token (SX_JUPYTER_TOKEN)");
    std::string why;
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) why = j["message"];
    if (why.size() > 300) why = why.substr(0, 300) + "…";
    return fmt::format("the Jupyter server at {} answered HTTP {} to {}{}{}", at, r.status, what,
                       why.empty() ? "" : ": ", why);
  }

 private:
  CURL *h_;
};

std::string kernel_path() { return "/api/kernels/" + g_gw.kernel_id; }

// --- the websocket (Boost.Beast) ----------------------------------------------------------

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

class GatewayTransport final : public Transport {
 public:
  std::string where() const override { return fmt::format("the kernel {} at {}", g_gw.kernel_id, g_gw.url.base()); }

  void connect() override {
    const GatewayUrl &u = g_gw.url;
    std::string host = u.host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    tcp::resolver::results_type addrs;
    try {
      addrs = tcp::resolver(ioc_).resolve(host, u.port_or_default());
    } catch (const boost::system::system_error &e) {
      throw TransportError(fmt::format("cannot resolve the Jupyter server at {}: {}", u.base(), e.what()));
    }
    if (u.scheme == "https") {
      tls_.emplace(ssl::context::tls_client);
      tls_->set_default_verify_paths();
      if (!g_gw.ca.empty()) tls_->add_certificate_authority(net::buffer(g_gw.ca));
      tls_->set_verify_mode(ssl::verify_peer);
      wss_ = std::make_unique<TlsWs>(ioc_, *tls_);
      SSL_set_tlsext_host_name(wss_->next_layer().native_handle(), host.c_str());
      wss_->next_layer().set_verify_callback(ssl::host_name_verification(host));
    } else {
      ws_ = std::make_unique<PlainWs>(ioc_);
    }
    std::string target = fmt::format("{}{}/channels?session_id={}", u.path, kernel_path(), session_);
    std::string host_header = u.host + (u.port.empty() ? "" : ":" + u.port);
    beast::error_code ec;
    std::string step = "connect";
    with_ws([&](auto &ws) {
      beast::get_lowest_layer(ws).expires_after(std::chrono::milliseconds(g_timeouts.start_ms));
      ec = run([&](auto done) { beast::get_lowest_layer(ws).async_connect(addrs, done); });
      if (!ec && wss_) {
        step = "TLS handshake";
        ec = run([&](auto done) { wss_->next_layer().async_handshake(ssl::stream_base::client, done); });
      }
      beast::get_lowest_layer(ws).expires_never();
      if (ec) return;
      // Each message is one small frame: Nagle's algorithm would hold the
      // next behind the server's delayed ACK (~40 ms a unit).
      beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), ec);
      ws.set_option(websocket::stream_base::decorator([](websocket::request_type &req) {
        req.set(http::field::user_agent, "streamexec-worker-jupyter");
        if (!g_gw.token.empty()) req.set(http::field::authorization, "token " + g_gw.token);
      }));
      websocket::stream_base::timeout t{};
      t.handshake_timeout = std::chrono::milliseconds(g_timeouts.start_ms);
      // Silent for hb_ms / 2: a ping; nothing back by hb_ms: the read fails.
      t.idle_timeout = std::chrono::milliseconds(g_timeouts.hb_ms);
      t.keep_alive_pings = true;
      ws.set_option(t);
      ws.read_message_max(std::uint64_t{256} << 20);
      step = "websocket handshake";
      ec = run([&](auto done) { ws.async_handshake(response_, host_header, target, done); });
    });
    if (ec) {
      std::string status =
          ec == websocket::error::upgrade_declined ? fmt::format(" (HTTP {})", response_.result_int()) : "";
      throw TransportError(
          fmt::format("cannot open the channels of {}: {} failed: {}{}", where(), step, ec.message(), status));
    }
    start_read();
  }

  Channel poll(int ms, Message *m) override {
    if (!lost_.empty()) return kLost;
    if (watched_ && ms_since(last_check_) >= 1000) check_alive();
    if (!lost_.empty()) return kLost;
    auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    while (inbox_.empty() && !closed_) {
      if (ioc_.stopped()) ioc_.restart();
      if (ioc_.run_one_until(deadline) == 0) break;
    }
    if (!inbox_.empty()) return take(m);
    if (closed_) {
      lost_ = fmt::format("the Jupyter server closed the channels of {} ({})", where(), closed_why_);
      return kLost;
    }
    return kNone;
  }

  void watch() override { watched_ = true; }

  void interrupt() override {
    // Not answered: the host kills the worker after its grace period, and
    // the guard deletes the kernel.
    rest_.call("POST", kernel_path() + "/interrupt", "", 5000);
  }

  void interrupt_before_exit() override { interrupt(); }

  // The guard: the kernel is ours; deleting it also stops what it runs.
  // Again while the server fails (Jupyter Server answers 500 to a DELETE
  // while it restarts a kernel that died), for up to 30 s.
  void relay_gone() override {
    for (auto t0 = Clock::now();;) {
      long status = rest_.call("DELETE", kernel_path(), "", 20000).status;
      if (status / 100 == 2 || (status / 100 == 4 && status != 408 && status != 429) || ms_since(t0) > 30000) return;
      usleep(500000);
    }
  }

  // Answers the server's pings while idle (Jupyter Server closes a websocket
  // whose pongs are missing for 90 s); notices the kernel's death meanwhile.
  void wait_readable(int fd) override {
    int copy = dup(fd);
    if (copy < 0) return Transport::wait_readable(fd);
    net::posix::stream_descriptor sd(ioc_, copy);
    bool ready = false;
    sd.async_wait(net::posix::stream_descriptor::wait_read, [&ready](const beast::error_code &) { ready = true; });
    while (!ready) {
      if (ioc_.stopped()) ioc_.restart();
      ioc_.run_one();
      Message m;
      // Between units nothing is awaited: only a death is kept (for the next poll).
      while (!inbox_.empty() && lost_.empty()) take(&m);
      inbox_.clear();
    }
  }

 private:
  template <class F>
  void with_ws(F f) {
    if (wss_) f(*wss_);
    else f(*ws_);
  }

  // Starts an asynchronous operation (start(handler)) and runs the loop
  // until it completes; its error.
  template <class Start>
  beast::error_code run(Start start) {
    bool done = false;
    beast::error_code result;
    start([&](beast::error_code ec, auto &&...) {
      result = ec;
      done = true;
    });
    while (!done) {  // NOLINT(bugprone-infinite-loop): the handler, run by run_one(), sets it
      if (ioc_.stopped()) ioc_.restart();
      ioc_.run_one();
    }
    return result;
  }

  void start_read() {
    with_ws([this](auto &ws) {
      ws.async_read(rbuf_, [this, &ws](beast::error_code ec, std::size_t) {
        if (ec) {
          closed_ = true;
          closed_why_ = ec.message();
          return;
        }
        // Jupyter Server leaves Nagle's algorithm on (tornado's default):
        // its next small frame waits for our ACK, which Linux delays up to
        // 40 ms unless asked for at once, again after each read.
        int one = 1;
        setsockopt(beast::get_lowest_layer(ws).socket().native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        bool text = ws.got_text();
        if (text) inbox_.push_back(beast::buffers_to_string(rbuf_.data()));
        rbuf_.consume(rbuf_.size());
        start_read();
      });
    });
  }

  void send_message(Channel ch, const json &header, const json &content) override {
    json msg = {{"header", header},
                {"parent_header", json::object()},
                {"metadata", json::object()},
                {"content", content},
                {"channel", ch == kControl ? "control" : "shell"},
                {"buffers", json::array()}};
    out_ = msg.dump(-1, ' ', false, json::error_handler_t::replace);
    if (closed_) return;  // the next poll says so
    beast::error_code ec;
    with_ws([&](auto &ws) {
      ws.text(true);
      ec = run([&](auto done) { ws.async_write(net::buffer(out_), done); });
    });
    if (ec && !closed_) {
      closed_ = true;
      closed_why_ = ec.message();
    }
  }

  // The next message of the inbox.
  Channel take(Message *m) {
    json j = json::parse(inbox_.front(), nullptr, false);
    inbox_.pop_front();
    if (!j.is_object()) return kNone;
    auto obj = [&j](const char *k) { return j.contains(k) && j[k].is_object() ? j[k] : json::object(); };
    m->header = obj("header");
    m->parent = obj("parent_header");
    m->metadata = obj("metadata");
    m->content = obj("content");
    std::string ch = j.value("channel", "");
    Channel c = ch == "shell" ? kShell : ch == "iopub" ? kIopub : ch == "control" ? kControl : kNone;
    if (c == kIopub && m->type() == "status") {
      // Sent by the server itself (no parent): a kernel that died is
      // restarted without its state, or could not be.
      std::string state = m->content.value("execution_state", "");
      if (state == "restarting" || state == "dead") {
        lost_ = fmt::format("{} died (the server reports it {}{})", where(), state,
                            state == "restarting" ? "; its state is lost" : "");
        return kLost;
      }
    }
    return c;
  }

  // The REST API's view: deleted (404) or dead, or a server that stopped
  // answering for hb_ms.
  void check_alive() {
    last_check_ = Clock::now();
    Rest::Reply r = rest_.call("GET", kernel_path(), "", std::max(500, std::min(g_timeouts.hb_ms, 2000)));
    if (r.status == 0) {
      if (!unreachable_since_) unreachable_since_ = Clock::now();
      if (ms_since(*unreachable_since_) > g_timeouts.hb_ms)
        lost_ = fmt::format("{} is out of reach for {} ms: {}", where(), g_timeouts.hb_ms, r.error);
      return;
    }
    unreachable_since_.reset();
    if (r.status == 404) {
      lost_ = fmt::format("{} is gone (HTTP 404: deleted, culled or the server restarted)", where());
      return;
    }
    json j = json::parse(r.body, nullptr, false);
    if (r.status == 200 && j.is_object() && j.value("execution_state", "") == "dead")
      lost_ = fmt::format("{} is dead (the server says so)", where());
  }

  net::io_context ioc_{1};
  std::optional<ssl::context> tls_;
  std::unique_ptr<PlainWs> ws_;
  std::unique_ptr<TlsWs> wss_;
  websocket::response_type response_;
  beast::flat_buffer rbuf_;
  std::deque<std::string> inbox_;
  std::string out_;
  bool closed_ = false;
  std::string closed_why_;
  bool watched_ = false;
  Clock::time_point last_check_ = Clock::now();
  std::optional<Clock::time_point> unreachable_since_;
  Rest rest_;
};

std::string read_file(const std::string &path, std::string *err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = fmt::format("cannot read SX_JUPYTER_CA_FILE {}: {}", path, strerror(errno));
    return "";
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool prepare_gateway(const std::string &url, const Timeouts &t, std::string *err) {
  g_timeouts = t;
  if (!parse_gateway_url(url, {curl_url, curl_url_set, curl_url_get, curl_url_cleanup, curl_free}, &g_gw.url, err))
    return false;
  // Read here, in the relay, and out of the environment the sandboxed
  // processes inherit.
  if (const char *tok = getenv("SX_JUPYTER_TOKEN")) g_gw.token = tok;
  if (const char *ca = getenv("SX_JUPYTER_CA_FILE"); ca && *ca) {
    g_gw.ca = read_file(ca, err);
    if (!err->empty()) return false;
  }
  unsetenv("SX_JUPYTER_TOKEN");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Rest rest;  // its connection closes before the guard is forked
  json body = {{"name", g_gw.url.kernel_name}};
  Rest::Reply r = rest.call("POST", "/api/kernels", body.dump(), t.start_ms);
  if (r.status / 100 != 2) {
    *err = Rest::failure(fmt::format("starting a {} kernel", g_gw.url.kernel_name).c_str(), r);
    return false;
  }
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty()) {
    *err = fmt::format("the Jupyter server at {} started a kernel but did not say its id", g_gw.url.base());
    return false;
  }
  g_gw.kernel_id = j["id"].get<std::string>();
  auto odd = [](char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_'; };
  if (std::any_of(g_gw.kernel_id.begin(), g_gw.kernel_id.end(), odd)) {
    *err =
        fmt::format("the Jupyter server at {} gave the new kernel an id that is not a path segment", g_gw.url.base());
    return false;
  }
  return true;
}

std::unique_ptr<Transport> make_gateway_transport() { return std::make_unique<GatewayTransport>(); }

}  // namespace sx::jupyter
