// A streaming client of the OpenAI chat completions API (POST
// {base_url}/chat/completions with "stream": true), which OpenAI, vLLM,
// llama.cpp's llama-server, Ollama and LM Studio all serve, on libcurl
// (docs/DESIGN.md §9). Each content delta goes to the handler the moment its
// frame is complete; the handler can stop the stream, which closes the
// connection at once (the server stops generating).
#ifndef STREAMEXEC_SCHEDULER_CHAT_OPENAI_H
#define STREAMEXEC_SCHEDULER_CHAT_OPENAI_H

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sx::chat {

struct Message {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct Request {
  std::string base_url;  // "https://api.openai.com/v1"; "/chat/completions" is appended
  std::string model;
  std::string api_key;       // sent as "Authorization: Bearer …" if not empty; never logged
  std::string api_key_env;   // where the key came from, for error messages
  bool api_key_set = false;  // whether that variable was set
  std::vector<Message> messages;
  double temperature = -1;      // < 0: not sent
  std::int64_t max_tokens = 0;  // 0: not sent
  double connect_timeout_s = 10;
  double idle_timeout_s = 60;  // no byte for this long: the stream ends as an error
  int max_retries = 3;         // 429 / 5xx before anything was streamed
  double retry_max_wait_s = 60;
};

// The JSON body of a request (model, messages, stream, stream_options,
// temperature, max_tokens). No key: it travels in a header only.
std::string request_body(const Request &r);
// The URL a request goes to.
std::string request_url(const Request &r);

// What a stream receives, as it arrives. Times are ms since the request was
// first sent.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // A content delta. Return false to stop the stream (the connection is
  // closed before the next read).
  virtual bool on_content(std::string_view piece, double t_ms) = 0;
  // Reasoning text (delta.reasoning_content / delta.reasoning): not code.
  virtual void on_reasoning(std::string_view /*piece*/, double /*t_ms*/) {}
  // A request is about to be sent (attempt 0, 1, … after retries).
  virtual void on_attempt(int /*attempt*/, double /*wait_s*/, const std::string & /*why*/) {}
  // Polled between reads: true stops the stream as on_content's false does.
  virtual bool should_stop() { return false; }
};

struct StreamEnd {
  enum class Reason { Done, Stopped, Length, Error } reason = Reason::Error;
  std::string error;          // Error: what went wrong, for a person
  std::string finish_reason;  // as the server sent it ("stop", "length", …), "" if none
  int http_status = 0;
  int attempts = 0;
  std::uint64_t deltas = 0;                   // content deltas given to on_content
  std::uint64_t dropped = 0;                  // content deltas received after the stop, not given
  std::int64_t usage_completion_tokens = -1;  // from a `usage` chunk, -1 if none
  double t_first_ms = -1;                     // first content delta
  double t_end_ms = 0;
};
const char *reason_name(StreamEnd::Reason r);

// Wakes a running stream (from another thread) so that it polls
// should_stop() now rather than at its next read.
class Waker {
 public:
  void wake();
  void attach(void *multi);
  void detach();

 private:
  std::mutex mu_;
  void *multi_ = nullptr;
};

// Sends the request and streams the answer into the handler; returns when
// the stream ended (done, stopped, length, or an error — never throws for
// the network's or the server's failures).
StreamEnd stream_chat(const Request &r, StreamHandler &h, Waker *waker = nullptr);

}  // namespace sx::chat

#endif
