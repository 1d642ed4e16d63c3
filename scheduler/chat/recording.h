// Recordings of model streams (docs/DESIGN.md §9): one JSON object per line.
//   {"type":"header","version":1,"streamexec":…,"base_url":…,"model":…}
//   {"type":"request","round":R,"url":…,"body":{…}}   (no key: it is a header)
//   {"type":"delta","round":R,"t_ms":T,"content":…}   (T: since the request)
//   {"type":"reasoning","round":R,"t_ms":T,"content":…}
//   {"type":"end","round":R,"t_ms":T,"reason":…,"tokens":N,"cut_tokens":N,…}
//   {"type":"event","event":{…}}                      (the session's events)
#ifndef STREAMEXEC_SCHEDULER_CHAT_RECORDING_H
#define STREAMEXEC_SCHEDULER_CHAT_RECORDING_H

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sx::chat {

class Recorder {
 public:
  // Opens (truncates) the file; false and *err if it cannot.
  bool open(const std::string &path, std::string *err);
  ~Recorder();
  bool is_open() const { return f_ != nullptr; }
  // One line; thread-safe (events arrive from the session's threads).
  void write(const nlohmann::json &line);
  // A line already serialised (one JSON object, no newline).
  void write_line(std::string line);

 private:
  std::mutex mu_;
  std::FILE *f_ = nullptr;
};

struct RecordedDelta {
  double t_ms = 0;
  std::string content;
};

struct RecordedRound {
  int round = 0;
  std::uint64_t request_bytes = 0;
  std::vector<RecordedDelta> deltas;
  bool has_end = false;
  std::string reason = "error";  // of the end line ("error" if there is none)
  std::string error, finish_reason;
  std::uint64_t cut_tokens = 0;
  double t_end_ms = 0;
};

// Reads a recording's rounds in order; false and *err (with the line
// number) if the file cannot be read or a line is not a recording's.
bool read_recording(const std::string &path, std::vector<RecordedRound> *rounds, std::string *err);

}  // namespace sx::chat

#endif
