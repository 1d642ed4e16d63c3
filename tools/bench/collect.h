// An sx_event_fn that keeps every event but output, parsed, for the
// benchmarks to read after the session (tools/bench).
#ifndef STREAMEXEC_TOOLS_BENCH_COLLECT_H
#define STREAMEXEC_TOOLS_BENCH_COLLECT_H

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

inline void collect(void *user, const sx_event *ev) {
  if (ev->kind == SX_EVENT_OUTPUT) return;  // not needed, keeps memory small
  auto *c = static_cast<Collected *>(user);
  std::lock_guard<std::mutex> lk(c->mu);
  c->events.push_back(nlohmann::json::parse(std::string(ev->json, ev->json_len)));
}

}  // namespace sx::bench

#endif
