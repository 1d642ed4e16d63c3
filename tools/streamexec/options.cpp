// The execution flags and the sx_options they fill (options.h).
#include "tools/streamexec/options.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace sx::cli {

void die(const std::string &msg) {
  fmt::print(stderr, "streamexec: {}\n", msg);
  std::exit(2);
}

namespace {

bool ends_with(const std::string &s, const std::string &suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// A hidden flag under its old name, setting the same variable.
template <typename T>
void renamed(CLI::App *c, const char *old_name, const char *new_name, T &var) {
  c->add_option(old_name, var)->group("")->each([old_name, new_name](const std::string &) {
    fmt::print(stderr, "streamexec: warning: {} is now {}\n", old_name, new_name);
  });
}

void configure_mode(const ExecArgs &a, const std::string &file, sx_options *opt) {
  opt->mode = SX_MODE_MARKDOWN;
  if (!a.lang.empty()) {
    sx_lang l;
    if (sx_lang_from_name(a.lang.c_str(), &l) != SX_OK)
      die(fmt::format("unknown --lang '{}' (python, javascript, cpp)", a.lang));
    opt->lang = l;
    opt->mode = SX_MODE_RAW;
  } else {
    struct { const char *ext; sx_lang lang; } exts[] = {
        {".py", SX_LANG_PYTHON}, {".js", SX_LANG_JAVASCRIPT}, {".mjs", SX_LANG_JAVASCRIPT},
        {".cpp", SX_LANG_CPP},   {".cc", SX_LANG_CPP},         {".cxx", SX_LANG_CPP}};
    for (auto &e : exts) {
      if (ends_with(file, e.ext)) {
        opt->mode = SX_MODE_RAW;
        opt->lang = e.lang;
      }
    }
  }
  if (a.mode == "markdown") opt->mode = SX_MODE_MARKDOWN;
  else if (a.mode == "raw") opt->mode = SX_MODE_RAW;
  else if (!a.mode.empty()) die(fmt::format("unknown --mode '{}' (markdown, raw)", a.mode));
}

}  // namespace

void add_mode_options(CLI::App *c, ExecArgs &a) {
  c->add_option("--lang", a.lang, "raw mode: the whole input is code of this language");
  c->add_option("--mode", a.mode, "markdown | raw (default: from --lang / file extension)");
}

void add_exec_options(CLI::App *c, ExecArgs &a) {
  c->add_flag("--serial", a.serial, "classic mode: generate everything, then execute");
  c->add_option("--on-error", a.on_error, "after a failed unit: stop | continue")->capture_default_str();
  c->add_flag("--no-batching", a.no_batching, "dispatch one unit per message");
  c->add_option("--unit-timeout", a.unit_timeout_s, "wall-clock limit of each unit in seconds")->capture_default_str();
  c->add_option("--session-timeout", a.session_timeout_s, "wall-clock limit of the whole run in seconds (0 = none)")
      ->capture_default_str();
  c->add_option("--worker-memory", a.worker_memory_mib, "address space of each worker in MiB (RLIMIT_AS; 0 = none)")
      ->capture_default_str();
  c->add_option("--worker-max-processes", a.worker_max_processes,
                "processes+threads of each worker and its children (pids cgroup or RLIMIT_NPROC; 0 = none)")
      ->capture_default_str();
  c->add_option("--worker-max-open-files", a.worker_max_open_files,
                "open files of each worker (RLIMIT_NOFILE; 0 = inherit)")
      ->capture_default_str();
  c->add_option("--output-cap", a.output_cap_kib, "stdout+stderr kept per unit in KiB (the rest is cut with a marker)")
      ->capture_default_str();
  // Repeatable options take one value per flag: `--hold PAT file.md` is one
  // pattern and a file.
  c->add_option("--hold", a.hold, "gate: units whose code matches this regex run after the answer is complete; repeatable")
      ->allow_extra_args(false);
  c->add_option("--skip", a.skip, "gate: units whose code matches this regex never run; repeatable")
      ->allow_extra_args(false);
  c->add_flag("--hold-unsafe", a.hold_unsafe,
              "gate: hold units that delete files, start processes or open connections (from the unit's uses; "
              "a convenience against accidents, not a security boundary: the sandbox is)");
  c->add_option("--env", a.env,
                "NAME=VALUE or NAME (the host's value): a variable the workers get (their environment is "
                "otherwise only PATH, LANG, LC_*, TZ, HOME=TMPDIR=/tmp); repeatable")
      ->allow_extra_args(false);
  c->add_option("--network", a.network, "none: loopback only (default) | host: the host's network")
      ->capture_default_str();
  c->add_option("--allow-write", a.allow_write,
                "a host directory the units may write (all else is read-only but the scratch /tmp); repeatable")
      ->allow_extra_args(false);
  c->add_option("--scratch", a.scratch_mib, "size of the scratch tmpfs (/tmp, the units' cwd) in MiB")
      ->capture_default_str();
  c->add_option("--sandbox-off", a.sandbox_off,
                "comma-separated protections to switch off (diagnosis only; README \"Security\")");
  c->add_option("--worker-dir", a.worker_dir,
                "directory of the streamexec-worker-* executables (default: $STREAMEXEC_WORKER_DIR, else next to "
                "the library)");
  c->add_option("--executor", a.executor,
                "LANG=jupyter:CONNECTION_FILE: run LANG's units (python) on an existing Jupyter kernel instead of "
                "streamexec's own worker (its isolation is then the kernel's platform's); "
                "LANG=jupyter:http[s]://HOST:PORT[/BASE][#kernel=NAME]: on a new kernel of that Jupyter server or "
                "gateway (token: $SX_JUPYTER_TOKEN); repeatable")
      ->allow_extra_args(false);
  renamed(c, "--timeout", "--unit-timeout", a.unit_timeout_s);
  renamed(c, "--policy", "--on-error", a.on_error);
  renamed(c, "--max-memory", "--worker-memory", a.worker_memory_mib);
  renamed(c, "--max-procs", "--worker-max-processes", a.worker_max_processes);
  renamed(c, "--max-open-files", "--worker-max-open-files", a.worker_max_open_files);
  renamed(c, "--scratch-size", "--scratch", a.scratch_mib);
}

SessionOptions::SessionOptions(const ExecArgs &a, const std::string &file, bool execute) {
  if (!(a.unit_timeout_s > 0)) die("--unit-timeout must be > 0");
  if (!(a.session_timeout_s >= 0)) die("--session-timeout must be ≥ 0");
  if (a.output_cap_kib == 0) die("--output-cap must be > 0");
  if (a.on_error != "stop" && a.on_error != "continue")
    die(fmt::format("unknown --on-error '{}' (stop, continue)", a.on_error));
  if (a.network != "none" && a.network != "host") die(fmt::format("unknown --network '{}' (none, host)", a.network));
  sx_options_init(&opt);
  configure_mode(a, file, &opt);
  opt.execute = execute ? 1 : 0;
  opt.serial = a.serial ? 1 : 0;
  opt.batching = a.no_batching ? 0 : 1;
  opt.on_error = a.on_error == "continue" ? SX_POLICY_CONTINUE : SX_POLICY_STOP;
  opt.unit_timeout_s = a.unit_timeout_s;
  opt.session_timeout_s = a.session_timeout_s;
  opt.worker_memory_bytes = a.worker_memory_mib << 20;
  opt.worker_max_processes = a.worker_max_processes;
  opt.worker_max_open_files = a.worker_max_open_files;
  opt.output_cap_bytes = a.output_cap_kib << 10;
  opt.network = a.network == "host" ? SX_NETWORK_HOST : SX_NETWORK_NONE;
  for (const auto &e : a.env) env_.push_back(e.c_str());
  for (const auto &d : a.allow_write) allow_write_.push_back(d.c_str());
  env_.push_back(nullptr);
  allow_write_.push_back(nullptr);
  opt.env = env_.data();
  opt.allow_write = allow_write_.data();
  opt.scratch_bytes = a.scratch_mib << 20;
  if (!a.worker_dir.empty()) opt.worker_dir = a.worker_dir.c_str();
  for (const auto &e : a.executor) {
    auto eq = e.find('=');
    std::string lang = e.substr(0, eq), how = eq == std::string::npos ? "" : e.substr(eq + 1);
    if (eq == std::string::npos || how.empty())
      die("--executor: expected LANG=jupyter:CONNECTION_FILE or LANG=jupyter:URL");
    if (lang != "python") die(fmt::format("--executor {}=…: only python units can run on a Jupyter kernel", lang));
    if (!how.starts_with("jupyter:") || how.size() == 8)
      die(fmt::format("--executor {}=…: unknown executor (jupyter:CONNECTION_FILE, jupyter:http[s]://HOST:PORT)",
                      lang));
    python_executor_ = how;
  }
  if (!python_executor_.empty()) opt.python_executor = python_executor_.c_str();
  if (!a.sandbox_off.empty()) {
    opt.sandbox_off = a.sandbox_off.c_str();
    fmt::print(stderr, "streamexec: warning: sandbox protections switched off: {}\n", a.sandbox_off);
  }
  try {
    for (const auto &p : a.hold) rules_.hold.emplace_back(std::regex(p), p);
    for (const auto &p : a.skip) rules_.skip.emplace_back(std::regex(p), p);
  } catch (const std::regex_error &e) {
    die(fmt::format("bad --hold/--skip pattern: {}", e.what()));
  }
  rules_.hold_unsafe = a.hold_unsafe;
  if (!rules_.empty()) {
    opt.gate = gate_fn;
    opt.gate_user = &rules_;
  }
}

}  // namespace sx::cli
