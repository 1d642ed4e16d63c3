// The client's overhead per delta (chat.h). A server thread in this process
// answers POST /v1/chat/completions with the recording's round-0 deltas as
// server-sent events, one send() per frame, no waiting; sx_chat streams them
// into a session that only finds units (execute = 0, no workers). The
// baseline feeds the same deltas with sx_feed from memory into the same kind
// of session. Both in the same run, alternating, best of `reps`.
#include "tools/bench/chat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sx::bench {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::vector<std::string> round0_deltas(const std::string &path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("type", "") == "delta" && j.value("round", 0) == 0)
      out.push_back(j["content"].get<std::string>());
  }
  return out;
}

// A one-connection-at-a-time HTTP server that streams `frames`.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::vector<std::string> frames) : frames_(std::move(frames)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(fd_, 4) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len) != 0)
      throw std::runtime_error(std::string("loopback server: ") + std::strerror(errno));
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      int one = 1;
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      // The request: headers, then Content-Length bytes of body.
      std::string req;
      char buf[8192];
      std::size_t need = std::string::npos;
      while (need == std::string::npos || req.size() < need) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
        std::size_t end = req.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          std::size_t cl = req.find("Content-Length: ");
          need = end + 4 + (cl != std::string::npos ? std::stoul(req.substr(cl + 16)) : 0);
        }
      }
      std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
      (void)!write(c, head.data(), head.size());
      for (const auto &f : frames_)
        if (write(c, f.data(), f.size()) < 0) break;
      close(c);
    }
  }
  std::vector<std::string> frames_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

sx_session *chunk_session() {
  sx_options o;
  sx_options_init(&o);
  o.execute = 0;
  o.queue_events = 0;
  sx_session *s = nullptr;
  return sx_session_new(&o, &s) == SX_OK ? s : nullptr;
}

}  // namespace

int chat_bench(const std::string &recording, int reps, const std::string &json_out) {
  std::vector<std::string> deltas = round0_deltas(recording);
  if (deltas.empty()) {
    fmt::print(stderr, "streamexec-bench: no round-0 deltas in {}\n", recording);
    return 2;
  }
  std::vector<std::string> frames;
  std::size_t bytes = 0;
  for (const auto &d : deltas) {
    nlohmann::json j = {{"object", "chat.completion.chunk"},
                        {"choices", {{{"index", 0}, {"delta", {{"content", d}}}, {"finish_reason", nullptr}}}}};
    frames.push_back("data: " + j.dump() + "\n\n");
    bytes += frames.back().size();
  }
  frames.push_back("data: [DONE]\n\n");
  LoopbackServer server(frames);
  std::string url = fmt::format("http://127.0.0.1:{}/v1", server.port());
  std::vector<double> chat_ms, mem_ms;
  for (int r = 0; r < reps; ++r) {
    sx_session *s = chunk_session();
    auto t0 = Clock::now();
    for (const auto &d : deltas) sx_feed(s, d.data(), d.size());
    sx_answer_end(s);
    mem_ms.push_back(ms_since(t0));
    sx_finish(s);
    sx_session_free(s);

    s = chunk_session();
    sx_chat_options co;
    sx_chat_options_init(&co);
    co.base_url = url.c_str();
    co.model = "bench";
    co.api_key_env = "SX_BENCH_NO_KEY";
    co.repair = 0;
    t0 = Clock::now();
    int rc = sx_chat(s, &co, "bench");
    chat_ms.push_back(ms_since(t0));
    sx_finish(s);
    sx_session_free(s);
    if (rc != SX_OK) {
      fmt::print(stderr, "streamexec-bench: sx_chat: {}: {}\n", sx_strerror(rc), sx_last_error());
      return 1;
    }
  }
  std::sort(chat_ms.begin(), chat_ms.end());
  std::sort(mem_ms.begin(), mem_ms.end());
  double n = static_cast<double>(deltas.size());
  auto per = [&](double ms) { return ms * 1000 / n; };
  double med_chat = chat_ms[chat_ms.size() / 2], med_mem = mem_ms[mem_ms.size() / 2];
  fmt::print("## Live-stream client overhead per delta ({}: {} deltas, {} bytes of SSE; {} runs)\n", recording,
             deltas.size(), bytes, reps);
  fmt::print("| path | best ms | median ms | µs/delta (median) |\n|---|---|---|---|\n");
  fmt::print("| sx_feed from memory (baseline) | {:.2f} | {:.2f} | {:.2f} |\n", mem_ms.front(), med_mem, per(med_mem));
  fmt::print("| sx_chat over HTTP on loopback | {:.2f} | {:.2f} | {:.2f} |\n", chat_ms.front(), med_chat,
             per(med_chat));
  fmt::print(
      "client overhead: {:.2f} µs per delta (median; best {:.2f}), ratio {:.2f} "
      "(request, connection, SSE parsing, JSON of each chunk)\n",
      per(med_chat - med_mem), per(chat_ms.front() - mem_ms.front()), med_chat / med_mem);
  if (!json_out.empty()) {
    std::ofstream(json_out) << nlohmann::json{{"recording", recording},
                                              {"deltas", deltas.size()},
                                              {"chat_ms", chat_ms},
                                              {"memory_ms", mem_ms}}
                                   .dump(1)
                            << "\n";
  }
  return 0;
}

}  // namespace sx::bench
