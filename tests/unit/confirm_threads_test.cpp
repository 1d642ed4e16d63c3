// The closure checks of several sessions run at once on their own threads
// (frontend/dfa_caches.h): each language's confirm, called from 4 threads at
// a time on prefixes of the benchmark answers' code, gives every verdict it
// gives when called from one thread. Before each parse had caches of its
// own, the JavaScript and C++ confirms shared the generated parsers' DFA
// between threads without a lock (a data race in ANTLR 4.9's runtime) and
// the Python confirm took turns under one process-wide mutex.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "frontend/cpp/cpp_confirm.h"
#include "frontend/javascript/javascript_confirm.h"
#include "frontend/python/python_confirm.h"

namespace {

// The fenced blocks of language `tag` in bench/answers/*.md.
std::vector<std::string> blocks(const std::string &tag) {
  std::vector<std::string> out;
  std::vector<std::filesystem::path> files;
  for (auto &e : std::filesystem::directory_iterator(std::string(SX_SOURCE_DIR) + "/bench/answers"))
    if (e.path().extension() == ".md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto &f : files) {
    std::ifstream in(f);
    std::string line, cur;
    bool inside = false;
    while (std::getline(in, line)) {
      if (!inside && line.rfind("```" + tag, 0) == 0 && line.size() == 3 + tag.size()) {
        inside = true;
        cur.clear();
      } else if (inside && line.rfind("```", 0) == 0) {
        inside = false;
        out.push_back(cur);
      } else if (inside) {
        cur += line + "\n";
      }
    }
  }
  return out;
}

// Every 29th prefix of every block: complete, incomplete and erroneous text.
std::vector<std::string> prefixes(const std::string &tag) {
  std::vector<std::string> out;
  for (auto &b : blocks(tag))
    for (std::size_t n = 1; n <= b.size(); n += 29) out.push_back(b.substr(0, n));
  return out;
}

void same_from_threads(const std::vector<std::string> &inputs, const std::function<std::string(const std::string &)> &verdict) {
  ASSERT_GT(inputs.size(), 200u);
  std::vector<std::string> serial;
  for (auto &s : inputs) serial.push_back(verdict(s));
  constexpr int kThreads = 4;
  std::atomic<int> mismatches{0};
  std::vector<std::string> first_mismatch(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the inputs from a different start, so that
      // different texts are parsed at the same moment.
      std::size_t n = inputs.size();
      for (std::size_t k = 0; k < n; ++k) {
        std::size_t i = (k + t * n / kThreads) % n;
        std::string got = verdict(inputs[i]);
        if (got != serial[i]) {
          if (mismatches.fetch_add(1) == 0) first_mismatch[t] = inputs[i] + "\n=> " + got + "\nserial: " + serial[i];
        }
      }
    });
  }
  for (auto &th : threads) th.join();
  std::string where;
  for (auto &m : first_mismatch) where += m;
  EXPECT_EQ(mismatches.load(), 0) << where;
}

std::string describe(int status, std::uint64_t offset, const std::string &message, std::size_t defines) {
  std::ostringstream o;
  o << status << "@" << offset << " " << message << " defines=" << defines;
  return o.str();
}

TEST(ConfirmThreads, Python) {
  same_from_threads(prefixes("python"), [](const std::string &s) {
    auto v = sx::confirm_python(s);
    return describe(static_cast<int>(v.status), v.at.offset, v.message, v.defines.size());
  });
}

TEST(ConfirmThreads, JavaScript) {
  same_from_threads(prefixes("javascript"), [](const std::string &s) {
    auto v = sx::confirm_javascript(s);
    return describe(static_cast<int>(v.status), v.offset, v.message, v.defines.size());
  });
}

TEST(ConfirmThreads, Cpp) {
  same_from_threads(prefixes("cpp"), [](const std::string &s) {
    auto v = sx::confirm_cpp(s);
    return describe(static_cast<int>(v.status), v.offset, v.message, v.defines.size());
  });
}

}  // namespace
