// streamexec-bench --chat RECORDING: the live-stream client's cost per delta
// (sx_chat over HTTP on loopback vs sx_feed of the same deltas from memory).
#ifndef STREAMEXEC_TOOLS_BENCH_CHAT_H
#define STREAMEXEC_TOOLS_BENCH_CHAT_H

#include <string>

namespace sx::bench {

int chat_bench(const std::string &recording, int reps, const std::string &json_out);

}  // namespace sx::bench

#endif
