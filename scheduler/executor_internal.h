// What the executor's files share (executor.cpp, executor_programs.cpp):
// reading a worker's frames and naming how a program ended.
#ifndef STREAMEXEC_SCHEDULER_EXECUTOR_INTERNAL_H
#define STREAMEXEC_SCHEDULER_EXECUTOR_INTERNAL_H

#include <cstring>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace sx::executor_detail {

// How long a worker whose protocol pipe closed may take to exit by itself.
constexpr int kDeathGraceMs = 500;

inline Status parse_status(const std::string &s) {
  if (s == "ok") return Status::Ok;
  if (s == "syntax_error") return Status::SyntaxError;
  if (s == "crashed") return Status::Crashed;
  if (s == "timeout") return Status::Timeout;
  return Status::Error;
}

// Reads the fields of an error object sent by the worker (its supervisor
// checked their types).
inline ErrorInfo error_of(const nlohmann::json &er) {
  ErrorInfo e;
  e.type = er.value("type", "");
  e.message = er.value("message", "");
  e.line = er.value("line", 0);
  e.traceback = er.value("traceback", "");
  return e;
}

inline std::string exit_words(const Result &r) {
  if (r.signal) return fmt::format("killed by signal {} ({})", r.signal, strsignal(r.signal));
  if (r.has_exit_code) return fmt::format("exit code {}", r.exit_code);
  return status_name(r.status);
}

}  // namespace sx::executor_detail

#endif
