// Recordings of model streams: writing and reading (recording.h).
#include "scheduler/chat/recording.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace sx::chat {

bool Recorder::open(const std::string &path, std::string *err) {
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) *err = fmt::format("cannot write the recording {}: {}", path, std::strerror(errno));
  return f_ != nullptr;
}

Recorder::~Recorder() {
  if (f_) std::fclose(f_);
}

void Recorder::write(const nlohmann::json &line) {
  write_line(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Recorder::write_line(std::string s) {
  s.push_back('\n');
  std::lock_guard<std::mutex> lk(mu_);
  if (!f_) return;
  std::fwrite(s.data(), 1, s.size(), f_);
  std::fflush(f_);  // a recording is read while it is made (tail -f), and survives a kill
}

bool read_recording(const std::string &path, std::vector<RecordedRound> *rounds, std::string *err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = fmt::format("cannot read the recording {}: {}", path, std::strerror(errno));
    return false;
  }
  rounds->clear();
  std::string line;
  int n = 0;
  bool header = false;
  auto round_of = [&](const nlohmann::json &j) -> RecordedRound * {
    int r = j.value("round", 0);
    if (rounds->empty() || rounds->back().round != r) {
      rounds->emplace_back();
      rounds->back().round = r;
    }
    return &rounds->back();
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string()) {
      *err = fmt::format("{}:{}: not a line of a recording (a JSON object with a \"type\")", path, n);
      return false;
    }
    const std::string type = j["type"];
    try {
      if (type == "header") {
        header = true;
        if (j.value("version", 0) != 1) {
          *err = fmt::format("{}:{}: recording version {} (this streamexec reads version 1)", path, n,
                             j.value("version", 0));
          return false;
        }
      } else if (type == "request") {
        RecordedRound *r = round_of(j);
        r->request_bytes = j.contains("body") ? j["body"].dump().size() : 0;
      } else if (type == "delta") {
        round_of(j)->deltas.push_back({j.at("t_ms").get<double>(), j.at("content").get<std::string>()});
      } else if (type == "end") {
        RecordedRound *r = round_of(j);
        r->has_end = true;
        r->reason = j.at("reason").get<std::string>();
        r->error = j.value("error", "");
        r->finish_reason = j.value("finish_reason", "");
        r->cut_tokens = j.value("cut_tokens", std::uint64_t{0});
        r->t_end_ms = j.value("t_ms", 0.0);
      }
      // "event" and "reasoning" lines are what happened, not input.
    } catch (const nlohmann::json::exception &e) {
      *err = fmt::format("{}:{}: a \"{}\" line without the fields it needs ({})", path, n, type, e.what());
      return false;
    }
  }
  if (!header) {
    *err = fmt::format("{}: no header line: not a streamexec recording", path);
    return false;
  }
  return true;
}

}  // namespace sx::chat
