// streamexec-bench --interrupt (see interrupt.cpp).
#ifndef STREAMEXEC_TOOLS_BENCH_INTERRUPT_H
#define STREAMEXEC_TOOLS_BENCH_INTERRUPT_H

#include <string>

namespace sx::bench {

// How fast sx_interrupt stops a running unit in each language: `runs` times
// per language, an answer whose unit never ends is streamed into one session,
// interrupted once it runs, and the time from sx_interrupt to the unit's
// result is taken; then a unit checks that the state survived. Prints
// median / p90 / max per language; 0 on success.
int interrupt_bench(int runs, const std::string &json_out);

}  // namespace sx::bench

#endif
