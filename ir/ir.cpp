#include "ir/ir.h"

#include <algorithm>
#include <cctype>

namespace sx {

const char *lang_name(Lang l) {
  switch (l) {
    case Lang::Python: return "python";
    case Lang::JavaScript: return "javascript";
    case Lang::Cpp: return "cpp";
    case Lang::Unknown: break;
  }
  return "unknown";
}

Lang lang_from_name(const std::string &name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "python" || n == "py" || n == "python3" || n == "py3") return Lang::Python;
  if (n == "javascript" || n == "js" || n == "node" || n == "mjs" || n == "nodejs") return Lang::JavaScript;
  if (n == "cpp" || n == "c++" || n == "cxx" || n == "cc") return Lang::Cpp;
  return Lang::Unknown;
}

const char *unit_kind_name(UnitKind k) {
  switch (k) {
    case UnitKind::Import: return "import";
    case UnitKind::Include: return "include";
    case UnitKind::Function: return "function";
    case UnitKind::Class: return "class";
    case UnitKind::Assign: return "assign";
    case UnitKind::Expr: return "expr";
    case UnitKind::Control: return "control";
    case UnitKind::Decl: return "decl";
    case UnitKind::Other: break;
  }
  return "other";
}

const char *status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::Error: return "error";
    case Status::SyntaxError: return "syntax_error";
    case Status::Timeout: return "timeout";
    case Status::Crashed: return "crashed";
    case Status::Skipped: return "skipped";
    case Status::Gated: return "gated";
    case Status::Limit: return "limit";
    case Status::Cut: return "cut";
    case Status::Interrupted: return "interrupted";
  }
  return "?";
}

const char *event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::UnitClosed: return "unit_closed";
    case EventKind::UnitStarted: return "unit_started";
    case EventKind::Output: return "output";
    case EventKind::UnitDone: return "unit_done";
    case EventKind::StopAdvised: return "stop_advised";
    case EventKind::SyntaxErr: return "syntax_error";
    case EventKind::FenceSkipped: return "fence_skipped";
    case EventKind::WorkerRestarted: return "worker_restarted";
    case EventKind::SessionDone: return "session_done";
    case EventKind::UnitHeld: return "unit_held";
    case EventKind::ProgramDone: return "program_done";
    case EventKind::AnswerDone: return "answer_done";
    case EventKind::Display: return "display";
    case EventKind::ModelRequest: return "model_request";
    case EventKind::ModelStreamEnd: return "model_stream_end";
  }
  return "?";
}

}  // namespace sx
