// OpenAI-compatible streaming chat client on libcurl's multi interface
// (openai.h). One transfer at a time per call; the multi interface lets
// another thread wake the loop (curl_multi_wakeup) when a unit fails while
// the model is silent, so the stop never waits for the next byte. libcurl is
// loaded at the first request (curl_api.h), not linked.
#include "scheduler/chat/openai.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scheduler/chat/curl_api.h"
#include "scheduler/chat/sse.h"

namespace sx::chat {

const char *reason_name(StreamEnd::Reason r) {
  switch (r) {
    case StreamEnd::Reason::Done: return "done";
    case StreamEnd::Reason::Stopped: return "stopped";
    case StreamEnd::Reason::Length: return "length";
    case StreamEnd::Reason::Error: return "error";
  }
  return "error";
}

void Waker::wake() {
  std::lock_guard<std::mutex> lk(mu_);
  // Attached only while a transfer runs: libcurl is loaded then.
  if (multi_) curl_api(nullptr)->multi_wakeup(static_cast<CURLM *>(multi_));
}
void Waker::attach(void *multi) {
  std::lock_guard<std::mutex> lk(mu_);
  multi_ = multi;
}
void Waker::detach() { attach(nullptr); }

std::string request_url(const Request &r) {
  std::string u = r.base_url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u + "/chat/completions";
}

std::string request_body(const Request &r) {
  nlohmann::json msgs = nlohmann::json::array();
  for (const auto &m : r.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
  nlohmann::json j = {{"model", r.model}, {"messages", msgs}, {"stream", true}};
  // Servers that know it send the token count in a last chunk; others ignore it.
  j["stream_options"] = {{"include_usage", true}};
  if (r.temperature >= 0) j["temperature"] = r.temperature;
  if (r.max_tokens > 0) j["max_tokens"] = r.max_tokens;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

using Clock = std::chrono::steady_clock;

// One attempt: its transfer's state, shared with libcurl's callbacks.
struct Transfer {
  StreamHandler *h = nullptr;
  StreamEnd *end = nullptr;
  Clock::time_point t0;
  Clock::time_point last_byte;
  long status = 0;
  bool event_stream = false;
  std::string content_type;
  std::string error_body;  // a non-200 response's body (capped)
  bool stop = false;       // the handler asked to stop
  bool done = false;       // [DONE] seen
  bool failed = false;     // an error frame or a frame that is not JSON
  SseParser sse{[this](const SseEvent &e) { return on_event(e); }};

  double ms() const { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

  bool on_event(const SseEvent &e) {
    if (e.data == "[DONE]") {
      done = true;
      return false;
    }
    nlohmann::json j = nlohmann::json::parse(e.data, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      failed = true;
      end->error = fmt::format("the server sent an event that is not a JSON object: {}", e.data.substr(0, 200));
      return false;
    }
    if (j.contains("error")) {
      failed = true;
      const auto &err = j["error"];
      std::string msg = err.is_object() && err.contains("message") && err["message"].is_string()
                            ? err["message"].get<std::string>()
                            : err.dump();
      end->error = fmt::format("the server reported an error in the stream: {}", msg);
      return false;
    }
    if (j.contains("usage") && j["usage"].is_object()) {
      const auto &u = j["usage"];
      if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer())
        end->usage_completion_tokens = u["completion_tokens"].get<std::int64_t>();
    }
    if (!j.contains("choices") || !j["choices"].is_array()) return true;
    for (const auto &c : j["choices"]) {
      if (!c.is_object()) continue;
      if (c.contains("finish_reason") && c["finish_reason"].is_string())
        end->finish_reason = c["finish_reason"].get<std::string>();
      if (!c.contains("delta") || !c["delta"].is_object()) continue;
      const auto &d = c["delta"];
      for (const char *k : {"reasoning_content", "reasoning"}) {
        if (d.contains(k) && d[k].is_string() && !d[k].get_ref<const std::string &>().empty())
          h->on_reasoning(d[k].get_ref<const std::string &>(), ms());
      }
      if (!d.contains("content") || !d["content"].is_string()) continue;
      const std::string &piece = d["content"].get_ref<const std::string &>();
      if (piece.empty()) continue;
      if (stop) {
        ++end->dropped;  // already received when the stop came: not fed
        continue;
      }
      if (end->t_first_ms < 0) end->t_first_ms = ms();
      ++end->deltas;
      if (!h->on_content(piece, ms())) stop = true;
    }
    return true;
  }

  static size_t on_header(char *buf, size_t size, size_t n, void *self) {
    auto *t = static_cast<Transfer *>(self);
    std::string_view line(buf, size * n);
    if (line.substr(0, 5) == "HTTP/") {  // a new response (after a 100 or a redirect)
      t->status = 0;
      t->content_type.clear();
      if (std::size_t sp = line.find(' '); sp != std::string_view::npos) t->status = std::atol(line.data() + sp + 1);
    } else if (line.size() > 13) {
      std::string lower(line.substr(0, 13));
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == "content-type:") {
        t->content_type = std::string(line.substr(13));
        t->event_stream = t->content_type.find("text/event-stream") != std::string::npos;
      }
    }
    return size * n;
  }

  static size_t on_data(char *buf, size_t size, size_t n, void *self) {
    auto *t = static_cast<Transfer *>(self);
    std::size_t len = size * n;
    t->last_byte = Clock::now();
    if (t->status != 200) {
      if (t->error_body.size() < 65536) t->error_body.append(buf, std::min<std::size_t>(len, 65536));
      return len;
    }
    t->sse.feed(std::string_view(buf, len));
    // Returning less than len aborts the transfer: the connection is closed
    // now, so the server stops generating.
    if (t->stop || t->done || t->failed) return 0;
    return len;
  }
};

// The server's message from an error body ({"error": {"message": …}} or text).
std::string server_message(const std::string &body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const auto &e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  std::string s = body.substr(0, 300);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "(no message)" : s;
}

std::string curl_failure(const CurlApi &curl, CURLcode rc, const char *errbuf, const std::string &url) {
  std::string detail = errbuf && *errbuf ? errbuf : curl.easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return fmt::format("cannot resolve the host of {} ({}): check --base-url and the network", url, detail);
    case CURLE_COULDNT_CONNECT:
      return fmt::format("cannot connect to {} ({}): is the server running, and is --base-url right?", url, detail);
    case CURLE_OPERATION_TIMEDOUT: return fmt::format("timed out talking to {} ({})", url, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return fmt::format(
          "TLS error with {} ({}); CA bundles and proxies are read from the environment as libcurl "
          "does (CURL_CA_BUNDLE, SSL_CERT_FILE, https_proxy)",
          url, detail);
    default: return fmt::format("transfer from {} failed: {}", url, detail);
  }
}

}  // namespace

StreamEnd stream_chat(const Request &r, StreamHandler &h, Waker *waker) {
  StreamEnd end;
  std::string load_error;
  const CurlApi *curl = curl_api(&load_error);
  if (!curl) {
    end.reason = StreamEnd::Reason::Error;
    end.error = load_error;
    return end;
  }
  const std::string url = request_url(r);
  const std::string body = request_body(r);
  const Clock::time_point t0 = Clock::now();
  auto since = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
  double wait_s = 0;
  std::string why;
  for (int attempt = 0;; ++attempt) {
    if (wait_s > 0) {
      // Waits in small steps so that a stop asked meanwhile ends the wait.
      auto until = Clock::now() + std::chrono::duration<double>(wait_s);
      while (Clock::now() < until) {
        if (h.should_stop()) {
          end.reason = StreamEnd::Reason::Stopped;
          end.t_end_ms = since();
          return end;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    h.on_attempt(attempt, wait_s, why);
    end.attempts = attempt + 1;
    end.finish_reason.clear();
    Transfer t;
    t.h = &h;
    t.end = &end;
    t.t0 = t0;
    t.last_byte = Clock::now();
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURL *easy = curl->easy_init();
    CURLM *multi = curl->multi_init();
    if (!easy || !multi) {
      if (easy) curl->easy_cleanup(easy);
      if (multi) curl->multi_cleanup(multi);
      end.error = "libcurl could not be initialised";
      end.t_end_ms = since();
      return end;
    }
    curl_slist *headers = nullptr;
    headers = curl->slist_append(headers, "Content-Type: application/json");
    headers = curl->slist_append(headers, "Accept: text/event-stream");
    std::string auth;
    if (!r.api_key.empty()) {
      auth = "Authorization: Bearer " + r.api_key;
      headers = curl->slist_append(headers, auth.c_str());
    }
    curl->easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl->easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl->easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
    curl->easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl->easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_data);
    curl->easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    curl->easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl->easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    curl->easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    curl->easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl->easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);  // a stopped stream's connection is never reused
    curl->easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl->easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout_s * 1000));
    curl->easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
    curl->easy_setopt(easy, CURLOPT_USERAGENT, "streamexec");
    // Proxies come from the environment as libcurl reads them (https_proxy,
    // no_proxy …); a CA bundle as the curl tool reads it.
    for (const char *var : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
      if (const char *v = std::getenv(var); v && *v) {
        curl->easy_setopt(easy, CURLOPT_CAINFO, v);
        break;
      }
    }
    if (const char *v = std::getenv("SSL_CERT_DIR"); v && *v) curl->easy_setopt(easy, CURLOPT_CAPATH, v);
    curl->multi_add_handle(multi, easy);
    if (waker) waker->attach(multi);

    int running = 1;
    CURLcode rc = CURLE_OK;
    bool idle = false;
    while (running) {
      CURLMcode mc = curl->multi_perform(multi, &running);
      if (mc != CURLM_OK) break;
      int left = 0;
      while (CURLMsg *m = curl->multi_info_read(multi, &left))
        if (m->msg == CURLMSG_DONE) rc = m->data.result;
      if (!running) break;
      if (t.stop || t.done || t.failed) break;
      if (h.should_stop()) {
        t.stop = true;
        break;
      }
      double since_byte = std::chrono::duration<double>(Clock::now() - t.last_byte).count();
      if (since_byte > r.idle_timeout_s) {
        idle = true;
        break;
      }
      curl->multi_poll(multi, nullptr, 0, 50, nullptr);
    }
    if (waker) waker->detach();
    curl->easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &end.http_status);
    if (end.http_status == 0) end.http_status = static_cast<int>(t.status);
    curl_off_t retry_after = -1;
    curl->easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after);
    // Removing a transfer that is not finished closes its connection.
    curl->multi_remove_handle(multi, easy);
    curl->easy_cleanup(easy);
    curl->multi_cleanup(multi);
    curl->slist_free_all(headers);
    end.t_end_ms = since();

    if (t.stop) {
      end.reason = StreamEnd::Reason::Stopped;
      return end;
    }
    if (t.failed) {
      end.reason = StreamEnd::Reason::Error;
      return end;
    }
    if (t.done) {
      end.reason = end.finish_reason == "length" ? StreamEnd::Reason::Length : StreamEnd::Reason::Done;
      return end;
    }
    if (idle) {
      end.reason = StreamEnd::Reason::Error;
      end.error =
          fmt::format("no data from {} for {:g} s (idle timeout) after {} deltas", url, r.idle_timeout_s, end.deltas);
      return end;
    }
    int st = end.http_status;
    if (st != 0 && st != 200) {
      std::string msg = server_message(t.error_body);
      bool retry = (st == 429 || st >= 500) && end.deltas == 0 && attempt < r.max_retries;
      if (retry) {
        double backoff = 0.5 * std::pow(2.0, attempt);
        wait_s = retry_after >= 0 ? static_cast<double>(retry_after) : backoff;
        wait_s = std::min(wait_s, r.retry_max_wait_s);
        why = fmt::format("HTTP {}: {}", st, msg);
        continue;
      }
      end.reason = StreamEnd::Reason::Error;
      if (st == 401 || st == 403) {
        end.error =
            fmt::format("HTTP {} from {}: the server refused the API key ({}). The key is read from ${}, which is {}",
                        st, url, msg, r.api_key_env.empty() ? "OPENAI_API_KEY" : r.api_key_env,
                        r.api_key_set ? fmt::format("set ({} characters)", r.api_key.size()) : std::string("not set"));
      } else if (st == 404) {
        end.error = fmt::format("HTTP 404 from {}: no such model '{}' or wrong --base-url ({})", url, r.model, msg);
      } else if (st == 429 || st >= 500) {
        end.error = fmt::format("HTTP {} from {} after {} attempts: {}", st, url, attempt + 1, msg);
      } else {
        end.error = fmt::format("HTTP {} from {}: {}", st, url, msg);
      }
      return end;
    }
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
      end.reason = StreamEnd::Reason::Error;
      end.error = curl_failure(*curl, rc, errbuf, url);
      if (end.deltas > 0) end.error += fmt::format(" after {} deltas", end.deltas);
      return end;
    }
    if (st == 200 && !t.event_stream && end.deltas == 0) {
      end.reason = StreamEnd::Reason::Error;
      end.error = fmt::format("{} answered with Content-Type '{}', not a stream of server-sent events", url,
                              t.content_type.empty() ? "(none)" : t.content_type);
      return end;
    }
    // The connection closed without [DONE].
    end.reason = StreamEnd::Reason::Error;
    end.error = fmt::format("the stream from {} ended without [DONE] after {} deltas{}", url, end.deltas,
                            t.sse.mid_line() ? ", in the middle of a frame" : "");
    return end;
  }
}

}  // namespace sx::chat
