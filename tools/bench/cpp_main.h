// streamexec-bench --cpp-main (see cpp_main.cpp).
#ifndef STREAMEXEC_TOOLS_BENCH_CPP_MAIN_H
#define STREAMEXEC_TOOLS_BENCH_CPP_MAIN_H

#include <filesystem>
#include <string>
#include <vector>

#include "tools/bpe/bpe.h"

// Streams each answer with complete C++ programs at `rate` and compares the
// wait after the last token with a serial native build + run. 0 on success.
int cpp_main_bench(const std::vector<std::filesystem::path> &answers, double rate, const sx::BpeTokenizer &bpe,
                   double timeout_s, const std::string &json_out);

#endif
