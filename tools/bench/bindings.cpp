// The C API's own cost per sx_feed and per event (bindings.h): the file cut
// into pieces of piece_bytes, fed into a chunk-only session (execute = 0: the
// frontend's work only, no workers), then every event taken with
// sx_next_event and freed. Best of `reps`. Prints one JSON object, which
// bench/bindings/*.{py,mjs} compare with the same work done through the
// Python and Node packages.
#include "tools/bench/bindings.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sx::bench {

int feed_cost_bench(const std::string &file, int piece_bytes, int reps) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "streamexec-bench: cannot read {}\n", file);
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i < text.size(); i += static_cast<std::size_t>(piece_bytes))
    pieces.push_back(text.substr(i, static_cast<std::size_t>(piece_bytes)));
  using Clock = std::chrono::steady_clock;
  double best_feed = 1e18, best_event = 1e18;
  std::size_t events = 0;
  for (int r = 0; r < reps; ++r) {
    sx_options o;
    sx_options_init(&o);
    o.execute = 0;
    sx_session *s = nullptr;
    if (sx_session_new(&o, &s) != SX_OK) return 1;
    auto t0 = Clock::now();
    for (const auto &p : pieces) sx_feed(s, p.data(), p.size());
    double feed_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    sx_finish(s);
    auto t1 = Clock::now();
    std::size_t n = 0;
    sx_event *ev = nullptr;
    while (sx_next_event(s, 0, &ev) == SX_OK) {
      ++n;
      sx_event_free(ev);
    }
    double event_us = std::chrono::duration<double, std::micro>(Clock::now() - t1).count();
    sx_session_free(s);
    events = n;
    best_feed = std::min(best_feed, feed_us / static_cast<double>(pieces.size()));
    best_event = std::min(best_event, event_us / static_cast<double>(n ? n : 1));
  }
  fmt::print("{}\n", nlohmann::json{{"file", file},
                                    {"pieces", pieces.size()},
                                    {"events", events},
                                    {"us_per_feed", best_feed},
                                    {"us_per_event", best_event}}
                         .dump());
  return 0;
}

}  // namespace sx::bench
