// streamexec-bench --isolation and --dispatch (see isolation.cpp).
#ifndef STREAMEXEC_TOOLS_BENCH_ISOLATION_H
#define STREAMEXEC_TOOLS_BENCH_ISOLATION_H

#include <string>
#include <vector>

#include "streamexec.h"

namespace sx::bench {

// Round trips of `n` tiny units of `lang` fed one at a time to a warm worker
// (unit closed -> its result), after 20 for warm-up; in *minus_exec the same
// minus the worker's execution time. sandbox_off as sx_options.sandbox_off.
// false if a unit failed.
bool dispatch_samples(sx_lang lang, int n, const char *sandbox_off, std::vector<double> *roundtrip_ms,
                      std::vector<double> *minus_exec_ms);

// The cost of the sandbox, measured in one run: cold start (session to the
// first unit's result) and per-unit dispatch of each language with every
// protection on and with all of them off, interleaved; and a unit of one
// line of 10, 20 and 40 MB (time and the host's peak memory grow linearly).
// Prints the tables; 0 on success.
int isolation_bench(int cold_runs, int dispatch_n, const std::string &json_out);

}  // namespace sx::bench

#endif
