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
// worker -> host  {"op":"ready","pid_namespace" (isolated?),"startup_ms","globals"?,"sandbox" (sandbox.h Report)}
//                 {"op":"started","id"}
//                 {"op":"output","id","stream":"stdout"|"stderr","text"}
//                 {"op":"done","id","status","value"?,"error"?:{type,message,line,traceback},"exec_ms"}
//                 {"op":"skipped","id","reason"?}   (not run: stop_on_error, program ended)
//                 {"op":"program_done","program","early","status",...}   (see check_reply)
//                 {"op":"fatal","message"}   (the worker ends: why)
#ifndef STREAMEXEC_BACKENDS_PROTOCOL_H
#define STREAMEXEC_BACKENDS_PROTOCOL_H

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace sx::proto {

inline constexpr int kWorkerInFd = 3;
inline constexpr int kWorkerOutFd = 4;
// Host -> worker frames carry the units' code: large, and from the host.
inline constexpr std::uint32_t kMaxFrame = 256u << 20;  // 256 MiB
// Worker -> host frames carry at most an output chunk (64 KiB), a value
// (kMaxValue), an error (1 MiB of traceback), a ready frame's global names
// (8192 x 256 B): a larger frame is a protocol violation.
inline constexpr std::uint32_t kMaxReplyFrame = 8u << 20;
// A unit's value (its repr) is cut at this many bytes, with a marker.
inline constexpr std::size_t kMaxValue = 1u << 20;

// The longest prefix of `s` of at most `max` bytes that does not end inside
// a UTF-8 sequence.
std::size_t utf8_prefix(const std::string &s, std::size_t max);
// `s` cut at `max` bytes (at a character boundary) with a marker that says
// what was cut; unchanged if it fits.
std::string cap_text(std::string s, std::size_t max, const char *what);

// Checks a worker -> host frame against the schema above (each op's
// fields and their types). false and *why if it does not conform.
bool check_reply(const nlohmann::json &m, std::string *why);

// One frame's bytes (invalid UTF-8 in strings is replaced, never thrown).
std::string encode_frame(const nlohmann::json &msg);
// Writes one frame; retries on EINTR/partial writes. false on error.
bool write_frame(int fd, const nlohmann::json &msg);

// Incremental frame decoder for a non-blocking reader.
class FrameReader {
 public:
  explicit FrameReader(std::uint32_t max_frame = kMaxFrame) : max_(max_frame) {}
  // Append raw bytes read from the pipe.
  void append(const char *data, std::size_t n) { buf_.append(data, n); }
  // Pops the next complete frame into *out. Returns false if none is complete.
  // Throws nlohmann::json::parse_error on a malformed payload.
  bool next(nlohmann::json *out);
  bool oversized() const;
  std::uint32_t max_frame() const { return max_; }

 private:
  std::uint32_t max_;
  std::string buf_;
  std::size_t pos_ = 0;
};

// Blocking read of one frame (worker side). false on EOF/error.
bool read_frame_blocking(int fd, nlohmann::json *out);

}  // namespace sx::proto

#endif
