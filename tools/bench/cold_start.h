// streamexec-bench --cold-start (see cold_start.cpp).
#ifndef STREAMEXEC_TOOLS_BENCH_COLD_START_H
#define STREAMEXEC_TOOLS_BENCH_COLD_START_H

#include <string>

namespace sx::bench {

// C++ cold start to first output, with the worker's precompiled headers vs
// without them (SX_CPP_PCH=0), interleaved, `runs` times each; prints a
// table (and writes `json_out` if not empty). 0 on success.
int cold_start_bench(int runs, const std::string &json_out);

}  // namespace sx::bench

#endif
