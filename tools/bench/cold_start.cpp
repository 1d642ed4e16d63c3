// streamexec-bench --cold-start: the time from a new session to a C++
// answer's first output, as `streamexec run FILE --rate 0` sees it: the
// worker's spawn and sandbox, its start-up (clang::Interpreter, the prelude)
// and the program's units, the whole answer fed at once.
//
// Programs: <vector> + <iostream> (what the prelude covers) and
// <bits/stdc++.h> (a new interpreter from cpp-stdcpp.pch). The baseline is
// the same worker with its precompiled headers off (SX_CPP_PCH=0), measured
// in the same run, interleaved with it (machines drift).
#include "tools/bench/cold_start.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"

namespace sx::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct Program {
  const char *name;
  const char *answer;  // markdown
  const char *first_output;
};

const Program kPrograms[] = {
    {"vector+iostream",
     "```cpp\n#include <vector>\n#include <iostream>\n"
     "int main() {\n  std::vector<int> v{1, 2};\n  std::cout << v.size() << std::endl;\n}\n```\n",
     "2\n"},
    {"bits/stdc++.h",
     "```cpp\n#include <bits/stdc++.h>\nusing namespace std;\n"
     "int main() {\n  vector<int> v{3, 1, 2};\n  sort(v.begin(), v.end());\n  cout << v[0] << endl;\n}\n```\n",
     "1\n"},
};

// Session -> the first stdout of the answer, in ms; < 0 on failure (or if
// it is not `expect`).
double first_output_ms(const Program &p, bool pch) {
  sx_options o;
  sx_options_init(&o);
  o.mode = SX_MODE_MARKDOWN;
  const char *env_off[] = {"SX_CPP_PCH=0", nullptr};
  if (!pch) o.env = env_off;
  auto t0 = clock_type::now();
  sx_session *s = nullptr;
  if (sx_session_new(&o, &s) != SX_OK) return -1;
  sx_feed(s, p.answer, std::strlen(p.answer));
  sx_finish(s);
  double t = -1;
  std::string out;
  for (;;) {
    sx_event *ev = nullptr;
    if (sx_next_event(s, 60000, &ev) != SX_OK) break;
    bool end = ev->kind == SX_EVENT_ANSWER_DONE || ev->kind == SX_EVENT_SESSION_DONE;
    if (ev->kind == SX_EVENT_OUTPUT && std::strcmp(ev->stream, "stdout") == 0) {
      if (t < 0) t = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
      out.append(ev->text, ev->text_len);
    }
    sx_event_free(ev);
    if (end) break;
  }
  sx_session_free(s);
  return out == p.first_output ? t : -1;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int cold_start_bench(int runs, const std::string &json_out) {
  nlohmann::json out;
  fmt::print("C++ cold start: new session -> first stdout (whole answer fed at once), median of {} runs\n", runs);
  fmt::print("{:<18} {:>12} {:>16} {:>8}\n", "program", "PCH (ms)", "no PCH (ms)", "ratio");
  int rc = 0;
  for (const Program &p : kPrograms) {
    std::vector<double> on, off;
    for (int i = 0; i < runs; ++i) {  // interleaved
      double a = first_output_ms(p, true), b = first_output_ms(p, false);
      if (a < 0 || b < 0) {
        fmt::print(stderr, "{}: a run failed or printed something else\n", p.name);
        rc = 1;
        continue;
      }
      on.push_back(a);
      off.push_back(b);
    }
    double m_on = median(on), m_off = median(off);
    fmt::print("{:<18} {:>12.1f} {:>16.1f} {:>8.2f}\n", p.name, m_on, m_off, m_off > 0 ? m_on / m_off : 0);
    out[p.name] = {{"pch_ms", on}, {"no_pch_ms", off}, {"pch_median_ms", m_on}, {"no_pch_median_ms", m_off}};
  }
  if (!json_out.empty()) std::ofstream(json_out) << out.dump(2) << "\n";
  return rc;
}

}  // namespace sx::bench
