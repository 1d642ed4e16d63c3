// Frontend benchmark of streamexec-bench (`--frontend LANG`): the chunker's
// cost per token on programs of 1 k, 10 k and 100 k o200k tokens, with
// execution off. It also writes each program and its exact token split, so
// that the baselines in bench/frontend/ (tree-sitter incremental reparse,
// naive full reparse) parse the same text at the same token boundaries.
#ifndef STREAMEXEC_TOOLS_BENCH_FRONTEND_H
#define STREAMEXEC_TOOLS_BENCH_FRONTEND_H

#include <cstddef>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace sx {
class BpeTokenizer;
}

namespace sx::bench {

struct FrontendOptions {
  std::string lang;                                     // --frontend LANG; empty: not requested
  std::string out_dir;                                  // --frontend-out: programs, tokens, results
  std::vector<std::size_t> sizes{1000, 10000, 100000};  // --frontend-sizes, in tokens
  std::size_t unit_cap = 0;                             // --frontend-unit-cap (tokens); 0: size / 4
  int reps = 3;                                         // --frontend-reps: best of at least
  double min_seconds = 0.5;                             // --frontend-min-seconds: and of more runs
};

// Adds --frontend, --frontend-out, --frontend-sizes, --frontend-unit-cap,
// --frontend-reps and --frontend-min-seconds to app.
// `opts` must outlive the parse.
void add_frontend_options(CLI::App &app, FrontendOptions &opts);

// Runs the benchmark over programs assembled from the top-level units of
// `sources` and prints a table. With opts.out_dir set, writes there, per size
// label L (1k, 10k, …): L.<ext> (the program), L.tokens.json (JSON array of
// its tokens as strings) and streamexec.json (the numbers of every size).
// Returns a process exit code (0 ok, 1 the chunker failed, 2 bad input).
int run_frontend_bench(const FrontendOptions &opts, const std::vector<std::string> &sources,
                       const BpeTokenizer &tok);

}  // namespace sx::bench

#endif  // STREAMEXEC_TOOLS_BENCH_FRONTEND_H
