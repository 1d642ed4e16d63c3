// streamexec-bench --feed-cost FILE: the C API's cost per sx_feed and per
// event, the baseline of the bindings' overhead (bench/bindings/).
#ifndef STREAMEXEC_TOOLS_BENCH_BINDINGS_H
#define STREAMEXEC_TOOLS_BENCH_BINDINGS_H

#include <string>

namespace sx::bench {

int feed_cost_bench(const std::string &file, int piece_bytes, int reps);

}  // namespace sx::bench

#endif
