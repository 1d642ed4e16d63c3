// streamexec-bench --sessions: many sessions at once (docs/DESIGN.md §8
// "Many sessions"), and --first-result: how soon a new session's first
// output comes, cold and from a warm pool.
#ifndef STREAMEXEC_TOOLS_BENCH_SESSIONS_H
#define STREAMEXEC_TOOLS_BENCH_SESSIONS_H

#include <cstddef>
#include <string>
#include <vector>

namespace sx::bench {

struct SessionsOptions {
  std::vector<int> levels{1, 2, 4, 8, 16, 32};  // concurrent sessions
  double seconds = 10;                          // per level
  std::string lang = "python";                  // the answers of this language
  std::string answers_dir;                      // bench/answers
  std::size_t piece = 4;                        // bytes per sx_feed (about a token)
  double rate = 0;                              // pieces per second per session (a model's pace); 0: at once
  bool pool = false;                            // sessions take workers from a warm pool
  bool chunk_only = false;                      // execute = 0: the frontend alone (no workers)
  std::string json_out;
};

// For each level N: N threads, each streaming answers one after another, a
// new session for each (as an agent platform starts one per conversation),
// for `seconds`; prints throughput (units/s, and against N x the first
// level's per-session throughput), p50/p99 unit latency (closed -> result)
// and dispatch latency (runnable -> started in the worker), the machine's
// CPU use, then the RSS of an idle session (host + worker processes).
int sessions_bench(const SessionsOptions &o);

// ms from sx_session_new (or the CLI's start) to the first output of a
// one-unit answer per language, and C++ with <bits/stdc++.h>: a cold
// `streamexec run` (cli: path of the streamexec binary, "" to skip), a
// cold session in this process, a session from a warm pool.
int first_result_bench(const std::string &cli, int reps, const std::string &json_out);

}  // namespace sx::bench

#endif
