// streamexec-equivalence — the native-equivalence harness (docs/DESIGN.md §6a).
//
// For each program of a corpus: run it natively (Debian's python3.11, node
// 18, clang++-19 -O0 and the binary), then stream it through a streamexec
// session — raw, and inside a markdown answer — in o200k BPE tokens, as fast
// as possible (and at 50 tokens/s for a sample), and compare stdout byte for
// byte and the exit status (exit code, or the signal that killed it, or "does
// not compile"). Prints one table per language and every difference with its
// likely cause; --json writes everything.
//
// Programs come from corpus directories with a manifest.tsv (lang, file,
// repo, commit, path, licence, …: programs nobody here wrote, fetched from
// public repositories) and from directories of our own programs
// (DIR/<lang>/*.{py,js,cpp}). Each program runs in a fresh temporary
// directory, natively and streamed, in a forked child (so a crash of one run
// cannot take the harness down), --jobs at a time.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <poll.h>
#include <set>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "streamexec.h"
#include "tools/bpe/bpe.h"

extern char **environ;

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Program {
  std::string lang;   // python | javascript | cpp
  std::string path;   // absolute
  std::string name;   // as listed (file relative to its corpus)
  std::string source; // repo@commit:path, or "ours"
  std::string licence;
  // Our own programs may say, in a comment, that they differ on purpose:
  // "equivalence: known difference: <cause>"; a corpus says it in the
  // manifest's optional column known_difference. They are reported apart
  // and do not count against the agreement.
  std::string known_difference;
};

// How a run ended, natively or streamed, in comparable terms.
struct Outcome {
  std::string stdout_text;
  std::string stderr_text;
  std::string status = "?";  // exit | signal | no_build | timeout | error (the harness could not run it)
  int code = 0;              // exit code, or signal number
  std::string detail;        // streamed: the first failing unit's error; native: the compiler's first error
  double ms = 0;
  std::string words() const {
    if (status == "exit") return fmt::format("exit {}", code);
    if (status == "signal") return fmt::format("signal {}", code);
    return status;
  }
  bool same_status(const Outcome &o) const { return status == o.status && code == o.code; }
};

struct Config {
  std::string python = "/usr/bin/python3";
  std::string node = SX_NODE18;
  std::string node_libdir = SX_NODE18_LIBDIR;
  std::string cxx = "clang++-19";
  std::string worker_dir = SX_WORKER_DIR;
  double timeout_s = 20;
  std::vector<std::string> modes = {"raw", "markdown"};
  int sample_every = 0;  // every Nth program also at 50 tok/s (0 = none)
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string make_temp_dir() {
  char tmpl[] = "/tmp/sx-equiv-XXXXXX";
  char *d = mkdtemp(tmpl);
  return d ? d : "";
}

// Runs argv in `cwd` with stdin at EOF; captures stdout/stderr; kills it
// after the timeout.
// `exe`: the program to run when argv[0] is not its path.
Outcome run_command(const std::vector<std::string> &argv, const std::string &cwd, double timeout_s,
                    const std::vector<std::string> &extra_env = {}, const std::string &exe = "") {
  Outcome o;
  auto t0 = std::chrono::steady_clock::now();
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    o.status = "error";
    o.detail = "pipe failed";
    return o;
  }
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    for (const auto &e : extra_env) putenv(const_cast<char *>(e.c_str()));
    std::vector<char *> a;
    for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
    a.push_back(nullptr);
    if (exe.empty())
      execvp(a[0], a.data());
    else
      execv(exe.c_str(), a.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  std::string *bufs[2] = {&o.stdout_text, &o.stderr_text};
  pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    double left = timeout_s * 1000 - ms_since(t0);
    if (left <= 0) {
      kill(-pid, SIGKILL);
      timed_out = true;
      break;
    }
    if (poll(p, 2, static_cast<int>(left) + 1) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      ssize_t n = read(p[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(p[i].fd);
        p[i].fd = -1;
        --open_fds;
      } else if (bufs[i]->size() < (64u << 20)) {
        bufs[i]->append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto &q : p)
    if (q.fd >= 0) close(q.fd);
  int st = 0;
  waitpid(pid, &st, 0);
  kill(-pid, SIGKILL);  // whatever it left behind
  o.ms = ms_since(t0);
  if (timed_out) o.status = "timeout";
  else if (WIFEXITED(st)) o.status = "exit", o.code = WEXITSTATUS(st);
  else if (WIFSIGNALED(st)) o.status = "signal", o.code = WTERMSIG(st);
  return o;
}

// Natively, as the streamed run presents itself (README "Programs run as
// they would natively"): `python3 answer.py`, `node answer.js`, and a C++
// program built as `answer` and run with argv[0] "answer", in the cwd.
Outcome run_native(const Config &cfg, const Program &p, const std::string &dir) {
  std::string ext = p.lang == "python" ? ".py" : p.lang == "javascript" ? ".js" : ".cpp";
  std::string src = dir + "/answer" + ext;
  std::filesystem::copy_file(p.path, src, std::filesystem::copy_options::overwrite_existing);
  struct Cleanup {
    std::string path;
    ~Cleanup() { unlink(path.c_str()); }
  } cleanup{src};
  if (p.lang == "python") return run_command({cfg.python, "answer.py"}, dir, cfg.timeout_s);
  if (p.lang == "javascript") {
    std::vector<std::string> env;
    if (!cfg.node_libdir.empty()) env.push_back("LD_LIBRARY_PATH=" + cfg.node_libdir);
    return run_command({cfg.node, "answer.js"}, dir, cfg.timeout_s, env);
  }
  std::string exe = dir + "/answer";
  Outcome c = run_command({cfg.cxx, "-std=c++20", "-O0", "-w", src, "-o", exe}, dir, 120);
  if (c.status != "exit" || c.code != 0) {
    Outcome o;
    o.status = "no_build";
    std::istringstream in(c.stderr_text);
    std::string line;
    while (std::getline(in, line))
      if (line.find("error") != std::string::npos) {
        o.detail = line;
        break;
      }
    return o;
  }
  Outcome o = run_command({"answer"}, dir, cfg.timeout_s, {}, exe);
  unlink(exe.c_str());
  return o;
}

// A fence long enough for the code (CommonMark: longer than any backtick run in it).
std::string fence_for(const std::string &code) {
  std::size_t longest = 0, run = 0;
  for (char c : code) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

// The program as an LLM answer would carry it (without a byte order mark:
// a file may start with one, an answer's text has none).
std::string as_markdown(const Program &p, std::string code) {
  if (code.rfind("\xEF\xBB\xBF", 0) == 0) code.erase(0, 3);
  if (!code.empty() && code.back() != '\n') code += '\n';
  std::string f = fence_for(code);
  return fmt::format("Here is a complete program for the task.\n\n{}{}\n{}{}\n\nRun it and it prints the result.\n",
                     f, p.lang == "cpp" ? "cpp" : p.lang == "javascript" ? "javascript" : "python", code, f);
}

struct StreamState {
  Outcome o;
  std::string first_error;
  bool program_done = false;
};

void on_event(void *user, const sx_event *ev) {
  auto *st = static_cast<StreamState *>(user);
  if (ev->kind == SX_EVENT_OUTPUT) {
    std::string &dst = std::strcmp(ev->stream, "stdout") == 0 ? st->o.stdout_text : st->o.stderr_text;
    if (dst.size() < (64u << 20)) dst.append(ev->text, ev->text_len);
    return;
  }
  if (ev->kind != SX_EVENT_UNIT_DONE && ev->kind != SX_EVENT_PROGRAM_DONE) return;
  json j = json::parse(std::string(ev->json, ev->json_len), nullptr, false);
  if (ev->kind == SX_EVENT_UNIT_DONE && st->first_error.empty() && j.contains("error") &&
      j.value("status", "") != "skipped") {
    const json &e = j["error"];
    st->first_error = fmt::format("{} {}: {} (answer line {})", j.value("status", ""), e.value("type", ""),
                                  e.value("message", ""), e.value("line", 0));
  }
  if (ev->kind == SX_EVENT_PROGRAM_DONE && !st->program_done) {
    st->program_done = true;
    std::string status = j.value("status", "");
    if (j.contains("signal")) {
      st->o.status = "signal";
      st->o.code = j["signal"];
    } else if (j.contains("exit_code")) {
      st->o.status = "exit";
      st->o.code = j["exit_code"];
    } else if (status == "timeout" || status == "limit") {
      st->o.status = "timeout";
    } else if (j.value("note", "").find("does not compile") != std::string::npos ||
               j.value("note", "").find("syntax error") != std::string::npos) {
      st->o.status = "no_build";
    } else {
      st->o.status = "program_" + status;
    }
  }
}

// Streams `text` into a session (in this process: the caller forked) and
// returns what it printed and how the program ended.
Outcome run_streamed(const Config &cfg, const Program &p, const std::string &text, bool markdown, double rate,
                     const sx::BpeTokenizer &bpe) {
  StreamState st;
  auto t0 = std::chrono::steady_clock::now();
  sx_options opt;
  sx_options_init(&opt);
  opt.mode = markdown ? SX_MODE_MARKDOWN : SX_MODE_RAW;
  sx_lang_from_name(p.lang.c_str(), &opt.lang);
  opt.prestart = 1u << opt.lang;
  opt.unit_timeout_s = cfg.timeout_s;
  opt.worker_dir = cfg.worker_dir.c_str();
  opt.on_event = on_event;
  opt.user = &st;
  opt.queue_events = 0;
  sx_session *s = nullptr;
  if (sx_session_new(&opt, &s) != SX_OK) {
    st.o.status = "error";
    st.o.detail = "sx_session_new failed";
    return st.o;
  }
  std::vector<std::string> tokens = bpe.split(text);
  auto tf = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (rate > 0) std::this_thread::sleep_until(tf + std::chrono::duration<double>(static_cast<double>(i) / rate));
    sx_feed(s, tokens[i].data(), tokens[i].size());  // keep feeding after a stop: the whole program is compared
  }
  sx_finish(s);
  sx_session_free(s);
  st.o.ms = ms_since(t0);
  st.o.detail = st.first_error;
  if (!st.program_done) st.o.status = "no_program_done";
  return st.o;
}

// A forked child's result, to its parent.
void write_json(int fd, const json &j) {
  std::string out = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::size_t at = 0;
  while (at < out.size()) {
    ssize_t n = write(fd, out.data() + at, out.size() - at);
    if (n <= 0) break;
    at += static_cast<std::size_t>(n);
  }
}

json outcome_json(const Outcome &o) {
  return {{"status", o.status}, {"code", o.code}, {"stdout", o.stdout_text}, {"detail", o.detail}, {"ms", o.ms}};
}

// Where two stdouts first differ, for the report.
std::string first_difference(const std::string &a, const std::string &b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::size_t line = 1 + static_cast<std::size_t>(std::count(a.begin(), a.begin() + static_cast<long>(i), '\n'));
  auto excerpt = [&](const std::string &s) {
    std::string e = s.substr(i, 40);
    return json(e).dump(-1, ' ', false, json::error_handler_t::replace);
  };
  return fmt::format("stdout differs at byte {} (line {}): native {} vs streamed {} ({} vs {} bytes)", i, line,
                     excerpt(a), excerpt(b), a.size(), b.size());
}

// One program: native and streamed runs, compared. Runs in a forked child.
json check(const Config &cfg, const Program &p, bool sample, const sx::BpeTokenizer &bpe) {
  json r = {{"lang", p.lang}, {"name", p.name}, {"source", p.source}, {"licence", p.licence}};
  if (!p.known_difference.empty()) r["known_difference"] = p.known_difference;
  std::string dir = make_temp_dir();
  Outcome native = run_native(cfg, p, dir);
  fs::remove_all(dir);
  r["native"] = outcome_json(native);
  std::string code = read_file(p.path);
  std::vector<std::pair<std::string, double>> runs;
  for (const auto &m : cfg.modes) runs.emplace_back(m, 0.0);
  if (sample) runs.emplace_back(cfg.modes.front(), 50.0);
  bool all_same = true;
  for (const auto &[mode, rate] : runs) {
    std::string key = rate > 0 ? mode + "@50" : mode;
    dir = make_temp_dir();
    // The session runs with the temporary directory as its cwd (workers
    // inherit it), in a child of its own.
    int pipefd[2];
    if (pipe(pipefd) != 0) return r;
    pid_t pid = fork();
    if (pid == 0) {
      close(pipefd[0]);
      if (chdir(dir.c_str()) != 0) _exit(1);
      std::string text = mode == "markdown" ? as_markdown(p, code) : code;
      Outcome o = run_streamed(cfg, p, text, mode == "markdown", rate, bpe);
      write_json(pipefd[1], outcome_json(o));
      _exit(0);
    }
    close(pipefd[1]);
    std::string got;
    char buf[65536];
    for (ssize_t n; (n = read(pipefd[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    close(pipefd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    fs::remove_all(dir);
    json streamed = json::parse(got, nullptr, false);
    if (streamed.is_discarded()) {
      streamed = {{"status", "error"}, {"code", 0}, {"stdout", ""},
                  {"detail", WIFSIGNALED(st) ? fmt::format("the harness child died of signal {}", WTERMSIG(st))
                                             : "the harness child wrote no result"}};
    }
    Outcome so;
    so.stdout_text = streamed.value("stdout", "");
    so.status = streamed.value("status", "?");
    so.code = streamed.value("code", 0);
    so.detail = streamed.value("detail", "");
    so.ms = streamed.value("ms", 0.0);
    json res = {{"same", false}, {"status", so.words()}, {"ms", so.ms}};
    std::string cause;
    if (so.stdout_text != native.stdout_text) cause = first_difference(native.stdout_text, so.stdout_text);
    if (!so.same_status(native)) {
      if (!cause.empty()) cause += "; ";
      cause += fmt::format("status: native {} vs streamed {}", native.words(), so.words());
    }
    if (!cause.empty() && !so.detail.empty()) cause += "; first failing unit: " + so.detail;
    res["same"] = cause.empty();
    if (!cause.empty()) res["cause"] = cause;
    all_same = all_same && cause.empty();
    r[key] = res;
  }
  r["same"] = all_same;
  return r;
}

std::vector<std::string> split_tabs(const std::string &line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  for (;;) {
    std::size_t j = line.find('\t', i);
    out.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

std::vector<Program> load_corpus(const std::string &dir) {
  std::vector<Program> out;
  std::ifstream in(dir + "/manifest.tsv");
  if (!in) throw std::runtime_error("no manifest.tsv in " + dir);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> head = split_tabs(line);
  auto col = [&](const char *name) {
    auto it = std::find(head.begin(), head.end(), name);
    if (it == head.end()) throw std::runtime_error(fmt::format("{}/manifest.tsv has no column '{}'", dir, name));
    return static_cast<std::size_t>(it - head.begin());
  };
  std::size_t c_lang = col("lang"), c_file = col("file"), c_repo = col("repo"), c_commit = col("commit"),
              c_path = col("path"), c_lic = col("licence");
  auto known = std::find(head.begin(), head.end(), "known_difference");
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto f = split_tabs(line);
    if (f.size() < head.size())
      throw std::runtime_error(fmt::format("{}/manifest.tsv:{}: {} columns, expected {}", dir, n, f.size(), head.size()));
    out.push_back({f[c_lang], fs::absolute(dir + "/" + f[c_file]).string(), f[c_file],
                   fmt::format("{}@{}:{}", f[c_repo], f[c_commit].substr(0, 12), f[c_path]), f[c_lic],
                   known == head.end() ? "" : f[static_cast<std::size_t>(known - head.begin())]});
  }
  return out;
}

std::vector<Program> load_programs(const std::string &dir) {
  std::vector<Program> out;
  for (const char *lang : {"python", "javascript", "cpp"}) {
    fs::path d = fs::path(dir) / lang;
    if (!fs::is_directory(d)) continue;
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(d))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto &f : files) {
      Program p{lang, fs::absolute(f).string(), std::string(lang) + "/" + f.filename().string(), "ours", "project", ""};
      std::string text = read_file(p.path);
      const std::string tag = "equivalence: known difference: ";
      if (auto at = text.find(tag); at != std::string::npos) {
        std::size_t b = at + tag.size(), e = text.find('\n', b);
        p.known_difference = text.substr(b, e == std::string::npos ? std::string::npos : e - b);
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"streamexec-equivalence — streamed runs of real programs against native runs (stdout and status)"};
  Config cfg;
  std::vector<std::string> corpora, program_dirs, langs;
  std::string json_out, modes = "raw,markdown", filter;
  std::size_t max_per_lang = 0;
  int jobs = 2;
  double min_agreement = -1;
  bool quiet = false;
  app.add_option("--corpus", corpora, "corpus directory with manifest.tsv (repeatable)");
  app.add_option("--programs", program_dirs, "directory of our own programs, DIR/<lang>/* (repeatable)");
  app.add_option("--lang", langs, "only these languages");
  app.add_option("--filter", filter, "only programs whose name contains this");
  app.add_option("--max-per-lang", max_per_lang, "at most N programs per language (evenly spaced)");
  app.add_option("--modes", modes, "raw,markdown")->capture_default_str();
  app.add_option("--sample-50", cfg.sample_every, "every Nth program also at 50 tokens/s (0 = none)");
  app.add_option("--jobs", jobs, "programs at a time")->capture_default_str();
  app.add_option("--timeout", cfg.timeout_s, "per-program (native) and per-unit (streamed) limit, s")->capture_default_str();
  app.add_option("--json", json_out, "write every result here");
  app.add_option("--min-agreement", min_agreement, "exit 1 if a language's share of identical programs is below");
  app.add_flag("--quiet", quiet, "only the tables");
  CLI11_PARSE(app, argc, argv);

  std::vector<Program> all;
  try {
    for (const auto &c : corpora) {
      auto v = load_corpus(c);
      all.insert(all.end(), v.begin(), v.end());
    }
    for (const auto &d : program_dirs) {
      auto v = load_programs(d);
      all.insert(all.end(), v.begin(), v.end());
    }
  } catch (const std::exception &e) {
    fmt::print(stderr, "streamexec-equivalence: {}\n", e.what());
    return 2;
  }
  cfg.modes.clear();
  for (std::size_t i = 0; i < modes.size();) {
    std::size_t j = modes.find(',', i);
    cfg.modes.push_back(modes.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  std::vector<Program> progs;
  std::map<std::string, std::vector<Program>> by_lang;
  for (auto &p : all) {
    if (!langs.empty() && std::find(langs.begin(), langs.end(), p.lang) == langs.end()) continue;
    if (!filter.empty() && p.name.find(filter) == std::string::npos) continue;
    by_lang[p.lang].push_back(p);
  }
  for (auto &[lang, v] : by_lang) {
    if (max_per_lang && v.size() > max_per_lang) {
      std::vector<Program> pick;
      for (std::size_t i = 0; i < max_per_lang; ++i) pick.push_back(v[i * v.size() / max_per_lang]);
      v = pick;
    }
    progs.insert(progs.end(), v.begin(), v.end());
  }
  if (progs.empty()) {
    fmt::print(stderr, "streamexec-equivalence: no programs (give --corpus or --programs)\n");
    return 2;
  }
  std::string err;
  auto bpe = sx::BpeTokenizer::load(SX_DEFAULT_BPE_FILE, &err);
  if (!bpe) {
    fmt::print(stderr, "streamexec-equivalence: {} (run scripts/setup)\n", err);
    return 2;
  }
  if (access(cfg.node.c_str(), X_OK) != 0) {
    fmt::print(stderr, "streamexec-equivalence: node 18 not found at {} (scripts/libnode-setup provides it)\n", cfg.node);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  // --jobs children, one program each; results come back as JSON on a pipe.
  std::vector<json> results(progs.size());
  struct Running {
    pid_t pid;
    int fd;
    std::size_t idx;
    std::string buf;
  };
  std::vector<Running> running;
  std::size_t next = 0, finished = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (finished < progs.size()) {
    while (running.size() < static_cast<std::size_t>(std::max(1, jobs)) && next < progs.size()) {
      int fd[2];
      if (pipe(fd) != 0) return 2;
      std::size_t idx = next++;
      bool sample = cfg.sample_every > 0 && idx % static_cast<std::size_t>(cfg.sample_every) == 0;
      pid_t pid = fork();
      if (pid == 0) {
        close(fd[0]);
        write_json(fd[1], check(cfg, progs[idx], sample, *bpe));
        _exit(0);
      }
      close(fd[1]);
      running.push_back({pid, fd[0], idx, ""});
    }
    std::vector<pollfd> p;
    for (auto &r : running) p.push_back({r.fd, POLLIN, 0});
    if (poll(p.data(), p.size(), -1) <= 0) continue;
    for (std::size_t i = 0; i < running.size();) {
      if (!(p[i].revents & (POLLIN | POLLHUP))) {
        ++i;
        continue;
      }
      char buf[65536];
      ssize_t n = read(running[i].fd, buf, sizeof buf);
      if (n > 0) {
        running[i].buf.append(buf, static_cast<std::size_t>(n));
        ++i;
        continue;
      }
      close(running[i].fd);
      waitpid(running[i].pid, nullptr, 0);
      json r = json::parse(running[i].buf, nullptr, false);
      const Program &pg = progs[running[i].idx];
      if (r.is_discarded()) r = {{"lang", pg.lang}, {"name", pg.name}, {"source", pg.source}, {"same", false},
                                 {"harness_error", "the check's child wrote no result"}};
      results[running[i].idx] = r;
      ++finished;
      if (!quiet) {
        fmt::print("[{:4}/{}] {:5} {:10} {}\n", finished, progs.size(), r.value("same", false) ? "same" : "DIFF",
                   pg.lang, pg.name);
        if (!r.value("same", false)) {
          for (const auto &m : cfg.modes)
            if (r.contains(m) && r[m].contains("cause")) fmt::print("       {}: {}\n", m, r[m]["cause"].get<std::string>());
        }
        std::fflush(stdout);
      }
      running.erase(running.begin() + static_cast<long>(i));
      p.erase(p.begin() + static_cast<long>(i));
    }
  }

  // Tables.
  bool below = false;
  fmt::print("\nNative equivalence ({} programs, {:.0f} s; stdout byte for byte and exit status; BPE tokens, rate 0{})\n",
             progs.size(), ms_since(t0) / 1000, cfg.sample_every ? fmt::format(", every {}th also at 50 tok/s", cfg.sample_every) : "");
  fmt::print("| language | programs |");
  for (const auto &m : cfg.modes) fmt::print(" identical {} |", m);
  fmt::print(" identical in all runs | differing |\n|---|---|");
  for (std::size_t i = 0; i < cfg.modes.size(); ++i) fmt::print("---|");
  fmt::print("---|---|\n");
  auto pct = [](std::size_t a, std::size_t n) {
    return n ? fmt::format("{} ({:.1f} %)", a, 100.0 * static_cast<double>(a) / static_cast<double>(n))
             : std::string("-");
  };
  for (const char *lang : {"python", "javascript", "cpp"}) {
    std::size_t n = 0, all_same = 0, known = 0;
    std::map<std::string, std::size_t> same;
    for (const auto &r : results) {
      if (r.value("lang", "") != lang) continue;
      if (r.contains("known_difference") && !r.value("same", false)) {
        ++known;
        continue;
      }
      ++n;
      if (r.value("same", false)) ++all_same;
      for (const auto &m : cfg.modes)
        if (r.contains(m) && r[m].value("same", false)) ++same[m];
    }
    if (n == 0 && known == 0) continue;
    fmt::print("| {} | {}{} |", lang, n, known ? fmt::format(" (+{} known difference{})", known, known > 1 ? "s" : "") : "");
    for (const auto &m : cfg.modes) fmt::print(" {} |", pct(same[m], n));
    fmt::print(" {} | {} |\n", pct(all_same, n), n - all_same);
    if (min_agreement >= 0 && n > 0 &&
        static_cast<double>(all_same) / static_cast<double>(n) < min_agreement)
      below = true;
  }
  std::size_t samples = 0, samples_same = 0;
  for (const auto &r : results)
    for (const auto &[k, v] : r.items())
      if (k.find("@50") != std::string::npos) {
        ++samples;
        if (v.value("same", false)) ++samples_same;
      }
  if (samples) fmt::print("\nAt 50 tokens/s: {} of {} sampled runs identical.\n", samples_same, samples);
  bool any = false;
  for (const auto &r : results) {
    if (r.value("same", false)) continue;
    if (!any) fmt::print("\nDifferences:\n");
    any = true;
    fmt::print("- {} {} ({}){}: ", r.value("lang", ""), r.value("name", ""), r.value("source", ""),
               r.contains("known_difference") ? " [known difference: " + r["known_difference"].get<std::string>() + "]" : "");
    std::string sep;
    for (const auto &[k, v] : r.items()) {
      if (!v.is_object() || !v.contains("cause")) continue;
      fmt::print("{}{}: {}", sep, k, v["cause"].get<std::string>());
      sep = " | ";
    }
    if (r.contains("harness_error")) fmt::print("{}", r["harness_error"].get<std::string>());
    fmt::print("\n");
  }
  if (!json_out.empty()) {
    std::ofstream out(json_out);
    out << json(results).dump(1, ' ', false, json::error_handler_t::replace) << "\n";
  }
  if (below) fmt::print("\nFAIL: agreement below {:.3f} in some language\n", min_agreement);
  return below ? 1 : 0;
}
