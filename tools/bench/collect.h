// An sx_event_fn that keeps every event but output, parsed, for the
// benchmarks to read after the session (tools/bench).
#ifndef STREAMEXEC_TOOLS_BENCH_COLLECT_H
#define STREAMEXEC_TOOLS_BENCH_COLLECT_H

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sx::bench {

struct Collected {
  std::mutex mu;
  std::vector<nlohmann::json> events;
};

// The q-quantile of v (linear interpolation), 0 if empty.
inline double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  std::size_t i = static_cast<std::size_t>(pos);
  double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

inline void collect(void *user, const sx_event *ev) {
  if (ev->kind == SX_EVENT_OUTPUT) return;  // not needed, keeps memory small
  auto *c = static_cast<Collected *>(user);
  std::lock_guard<std::mutex> lk(c->mu);
  c->events.push_back(nlohmann::json::parse(std::string(ev->json, ev->json_len)));
}

}  // namespace sx::bench

#endif
