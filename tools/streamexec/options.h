// The execution flags of `streamexec run` (and of every command that
// executes an answer): each is one sx_options field, named after it — the
// flag is the field's name with '-' for '_' and without its unit suffix
// (`--unit-timeout S` is unit_timeout_s, `--worker-memory MiB` is
// worker_memory_bytes); README "CLI" has the table.
#ifndef STREAMEXEC_TOOLS_OPTIONS_H
#define STREAMEXEC_TOOLS_OPTIONS_H

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "streamexec.h"
#include "tools/streamexec/gate.h"

namespace sx::cli {

struct ExecArgs {
  std::string lang;
  std::string mode;  // "", "markdown", "raw"
  bool serial = false;
  std::string on_error = "stop";
  bool no_batching = false;
  double unit_timeout_s = 30;
  double session_timeout_s = 0;
  std::uint64_t worker_memory_mib = 0, worker_max_processes = 512, worker_max_open_files = 0;
  std::uint64_t output_cap_kib = 8192;
  std::vector<std::string> hold, skip;
  bool hold_unsafe = false;
  std::vector<std::string> env, allow_write;
  std::string network = "none";
  std::uint64_t scratch_mib = 512;
  std::string sandbox_off;
  std::string worker_dir;
  // --executor LANG=jupyter:CONNECTION_FILE (repeatable; only python now)
  std::vector<std::string> executor;
};

// --lang and --mode (also for `chunk`, which executes nothing).
void add_mode_options(CLI::App *c, ExecArgs &a);

// Registers the execution flags on a subcommand. Old spellings (`--timeout`,
// `--policy`, `--max-memory`, `--max-procs`, `--max-open-files`,
// `--scratch-size`) still work, hidden, with a warning naming the new flag.
void add_exec_options(CLI::App *c, ExecArgs &a);

// An sx_options filled from the flags, with the storage its pointers point
// into. `file` picks raw mode by extension (.py/.js/.cpp …) when neither
// --lang nor --mode says. Bad values end the program with status 2.
class SessionOptions {
 public:
  SessionOptions(const ExecArgs &a, const std::string &file, bool execute);
  SessionOptions(const SessionOptions &) = delete;
  SessionOptions &operator=(const SessionOptions &) = delete;
  sx_options opt;

 private:
  std::vector<const char *> env_, allow_write_;
  std::string python_executor_;
  GateRules rules_;
};

[[noreturn]] void die(const std::string &msg);

}  // namespace sx::cli

#endif
