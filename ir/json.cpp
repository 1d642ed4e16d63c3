#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace sx {

namespace {
double round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000 + (v >= 0 ? 0.5 : -0.5))) / 1000; }
}  // namespace

std::string event_to_json(const Event &e) {
  using nlohmann::json;
  json j;
  j["event"] = event_kind_name(e.kind);
  j["t_ms"] = round3(e.t_ms);
  j["answer"] = e.answer;
  // The unit an event is about, and its language.
  auto unit_ref = [&] {
    j["unit_id"] = e.unit_id;
    j["lang"] = lang_name(e.lang);
  };
  switch (e.kind) {
    case EventKind::UnitClosed: {
      const Unit &u = e.unit;
      j["unit"] = {{"id", u.id},
                   {"lang", lang_name(u.lang)},
                   {"code", u.code},
                   {"begin", u.begin.offset},
                   {"end", u.end},
                   {"line", u.begin.line},
                   {"col", u.begin.col},
                   {"fence", u.fence},
                   {"kind", unit_kind_name(u.kind)},
                   {"defines", u.defines},
                   {"uses", u.uses},
                   {"t_first_byte_ms", round3(u.t_first_byte_ms)}};
      break;
    }
    case EventKind::UnitStarted:
      unit_ref();
      break;
    case EventKind::Output:
      unit_ref();
      j["stream"] = e.stream;
      j["text"] = e.text;
      break;
    case EventKind::UnitDone: {
      const Result &r = e.result;
      unit_ref();
      j["status"] = status_name(r.status);
      if (r.has_value) j["value"] = r.value_repr;
      if (!r.value_mime.empty()) {
        j["value_mime"] = json::object();
        for (const auto &[type, data] : r.value_mime) j["value_mime"][type] = data;
      }
      if (r.has_error) {
        j["error"] = {{"type", r.error.type}, {"message", r.error.message}, {"line", r.error.line}};
        if (!r.error.traceback.empty()) j["error"]["traceback"] = r.error.traceback;
        if (r.status == Status::SyntaxError && e.syntax.at.line > 0) {
          j["error"]["col"] = e.syntax.at.col + 1;
          j["error"]["offset"] = e.syntax.at.offset;
        }
      }
      if (r.has_exit_code) j["exit_code"] = r.exit_code;
      if (!r.note.empty()) j["note"] = r.note;
      if (r.status == Status::Cut) j["code"] = e.unit.code;  // the text dropped
      j["exec_ms"] = round3(r.exec_ms);
      if (r.end_ms > 0) j["end_ms"] = round3(r.end_ms);
      j["t_dispatched_ms"] = round3(r.t_dispatched_ms);
      j["t_started_ms"] = round3(r.t_started_ms);
      j["t_finished_ms"] = round3(r.t_finished_ms);
      break;
    }
    case EventKind::StopAdvised:
    case EventKind::UnitHeld:
      unit_ref();
      j["reason"] = e.text;
      break;
    case EventKind::SyntaxErr:
      j["lang"] = lang_name(e.lang);
      j["line"] = e.syntax.at.line;
      j["col"] = e.syntax.at.col + 1;
      j["message"] = e.syntax.message;
      break;
    case EventKind::FenceSkipped:
      j["fence"] = e.unit.fence;
      j["info"] = e.stream;
      j["line"] = e.unit.begin.line;
      j["reason"] = e.text;
      break;
    case EventKind::ProgramDone: {
      const Result &r = e.result;
      unit_ref();
      j["fence"] = e.unit.fence;
      j["status"] = status_name(r.status);
      if (r.has_exit_code) j["exit_code"] = r.exit_code;
      if (r.signal) j["signal"] = r.signal;
      if (r.has_error) {
        j["error"] = {{"type", r.error.type}, {"message", r.error.message}, {"line", r.error.line}};
        if (!r.error.traceback.empty()) j["error"]["traceback"] = r.error.traceback;
      }
      if (!r.note.empty()) j["note"] = r.note;
      break;
    }
    case EventKind::Display:
      unit_ref();
      j["data"] = json::object();
      for (const auto &[type, data] : e.mime) j["data"][type] = data;
      break;
    case EventKind::ModelRequest:
      j["round"] = e.model.round;
      j["messages_bytes"] = e.model.request_bytes;
      break;
    case EventKind::ModelStreamEnd:
      j["round"] = e.model.round;
      j["reason"] = e.model.reason;
      j["tokens"] = e.model.tokens;
      j["cut_tokens"] = e.model.cut_tokens;
      if (!e.model.finish_reason.empty()) j["finish_reason"] = e.model.finish_reason;
      if (!e.model.error.empty()) j["error"] = e.model.error;
      if (e.model.t_first_ms >= 0) j["first_token_ms"] = round3(e.model.t_first_ms);
      j["stream_ms"] = round3(e.model.t_end_ms);
      break;
    case EventKind::WorkerRestarted:
      j["lang"] = lang_name(e.lang);
      j["reason"] = e.text;
      break;
    case EventKind::SessionDone:
    case EventKind::AnswerDone: {
      const Report &r = e.report;
      j["report"] = {{"t_gen_ms", round3(r.t_gen_ms)},
                     {"t_exec_ms", round3(r.t_exec_ms)},
                     {"e2e_ms", round3(r.e2e_ms)},
                     {"serial_e2e_ms", round3(r.serial_e2e_ms)},
                     {"non_overlapped_ms", round3(r.non_overlapped_ms)},
                     {"limit_ms", round3(r.limit_ms)},
                     {"units", r.units},
                     {"errors", r.errors},
                     {"skipped", r.skipped},
                     {"cut", r.cut},
                     {"programs", r.programs},
                     {"programs_failed", r.programs_failed}};
      if (e.kind == EventKind::AnswerDone) {
        j["cut"] = r.was_cut;
        break;
      }
      json sb = json::object();
      for (const auto &w : r.sandbox)
        sb[lang_name(w.lang)] = {{"active", w.active}, {"missing", w.missing}, {"notes", w.notes},
                                 {"host_uid", w.host_uid}};
      j["sandbox"] = sb;
      break;
    }
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sx
