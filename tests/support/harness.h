// Test helpers: drive a session through the public C API and collect its
// events as parsed JSON.
#ifndef STREAMEXEC_TESTS_HARNESS_H
#define STREAMEXEC_TESTS_HARNESS_H

#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sxt {

using nlohmann::json;

inline std::vector<std::string> split_random(const std::string &s, unsigned seed, std::size_t max_len = 7) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(1, max_len);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t k = std::min(len(rng), s.size() - i);
    out.push_back(s.substr(i, k));
    i += k;
  }
  return out;
}

inline std::vector<std::string> split_bytes(const std::string &s) {
  std::vector<std::string> out;
  for (char c : s) out.emplace_back(1, c);
  return out;
}

struct Trace {
  std::vector<json> events;
  int finish_rc = 0;
  int first_stop_at = -1;  // index of the chunk whose sx_feed returned SX_STOP

  std::vector<json> of(const std::string &kind) const {
    std::vector<json> v;
    for (const auto &e : events)
      if (e["event"] == kind) v.push_back(e);
    return v;
  }
  // unit_done events keyed in order
  std::vector<json> done() const { return of("unit_done"); }
  // The unit_done event of one unit (null if none) and its status ("<none>").
  json done_of(long unit) const {
    for (const auto &e : events)
      if (e["event"] == "unit_done" && e["unit_id"] == unit) return e;
    return json();
  }
  std::string status_of(long unit) const {
    json d = done_of(unit);
    return d.is_null() ? "<none>" : d["status"].get<std::string>();
  }
  std::string stdout_of(long unit) const {
    std::string s;
    for (const auto &e : events)
      if (e["event"] == "output" && e["unit_id"] == unit && e["stream"] == "stdout") s += e["text"].get<std::string>();
    return s;
  }
  std::string all_stdout() const {
    std::string s;
    for (const auto &e : events)
      if (e["event"] == "output" && e["stream"] == "stdout") s += e["text"].get<std::string>();
    return s;
  }
  // Units' code in order.
  std::vector<std::string> units() const {
    std::vector<std::string> v;
    for (const auto &e : of("unit_closed")) v.push_back(e["unit"]["code"]);
    return v;
  }
};

inline sx_options default_options() {
  sx_options o;
  sx_options_init(&o);
  return o;
}

inline sx_options raw_python() {
  sx_options o = default_options();
  o.mode = SX_MODE_RAW;
  o.lang = SX_LANG_PYTHON;
  return o;
}

// Feeds `chunks` one by one; `between(i)` runs after chunk i (may wait for events).
inline Trace run_chunks(sx_options opt, const std::vector<std::string> &chunks) {
  Trace r;
  opt.queue_events = 1;
  sx_session *s = nullptr;
  if (sx_session_new(&opt, &s) != SX_OK) throw std::runtime_error("sx_session_new failed");
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    int rc = sx_feed(s, chunks[i].data(), chunks[i].size());
    if (rc == SX_STOP && r.first_stop_at < 0) r.first_stop_at = static_cast<int>(i);
  }
  r.finish_rc = sx_finish(s);
  sx_event *ev;
  while (sx_next_event(s, 0, &ev) == SX_OK) {
    r.events.push_back(json::parse(std::string(ev->json, ev->json_len)));
    sx_event_free(ev);
  }
  sx_session_free(s);
  return r;
}

inline Trace run_text(sx_options opt, const std::string &text) { return run_chunks(opt, {text}); }

}  // namespace sxt

#endif
