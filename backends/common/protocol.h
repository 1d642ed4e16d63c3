// Host <-> worker protocol: length-prefixed JSON frames over pipes.
//
// A frame is a 4-byte little-endian payload length followed by that many
// bytes of UTF-8 JSON. The worker reads requests on fd SX_WORKER_IN_FD and
// writes replies on fd SX_WORKER_OUT_FD; fds 0/1/2 are the unit's own (stdin
// is /dev/null, stdout/stderr are captured by the worker and forwarded as
// "output" frames), so a unit that writes to or closes fds 1/2 cannot corrupt
// the protocol.
//
// host -> worker  {"op":"exec","stop_on_error":bool,"units":[{"id","code","line","col"}]}
//                 {"op":"shutdown"}
// worker -> host  {"op":"ready","pid" (as the host sees it),"pid_namespace" (isolated?),"startup_ms"}
//                 {"op":"started","id"}
//                 {"op":"output","id","stream":"stdout"|"stderr","text"}
//                 {"op":"done","id","status","value"?,"error"?:{type,message,line,traceback},"exec_ms"}
//                 {"op":"skipped","id"}   (stop_on_error after an earlier failure in the batch)
#ifndef STREAMEXEC_BACKENDS_PROTOCOL_H
#define STREAMEXEC_BACKENDS_PROTOCOL_H

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace sx::proto {

inline constexpr int kWorkerInFd = 3;
inline constexpr int kWorkerOutFd = 4;
inline constexpr std::uint32_t kMaxFrame = 256u << 20;  // 256 MiB

// One frame's bytes (invalid UTF-8 in strings is replaced, never thrown).
std::string encode_frame(const nlohmann::json &msg);
// Writes one frame; retries on EINTR/partial writes. false on error.
bool write_frame(int fd, const nlohmann::json &msg);

// Incremental frame decoder for a non-blocking reader.
class FrameReader {
 public:
  // Append raw bytes read from the pipe.
  void append(const char *data, std::size_t n) { buf_.append(data, n); }
  // Pops the next complete frame into *out. Returns false if none is complete.
  // Throws nlohmann::json::parse_error on a malformed payload.
  bool next(nlohmann::json *out);
  bool oversized() const;

 private:
  std::string buf_;
  std::size_t pos_ = 0;
};

// Blocking read of one frame (worker side). false on EOF/error.
bool read_frame_blocking(int fd, nlohmann::json *out);

}  // namespace sx::proto

#endif
