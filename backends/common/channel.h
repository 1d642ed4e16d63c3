// The private channel between a worker's supervisor and its interpreter
// process (see worker_runtime.cpp for the process tree).
//
// A SOCK_SEQPACKET socket pair: the kernel keeps record boundaries, so a
// writer that dies in the middle of a message can leave at most whole
// records behind, never half a record. A message is a JSON object sent as one
// or more records of at most kRecordBytes; the first byte of each record says
// where it stands: 'S' single, 'B' begins a longer message, 'C' continues it,
// 'E' ends it. A reader that finds a 'C'/'E' without a 'B' (what a dead
// writer left) drops it. The supervisor's end has SO_PASSCRED set: the kernel
// stamps each record with the sender's pid, which a unit cannot forge.
#ifndef STREAMEXEC_BACKENDS_CHANNEL_H
#define STREAMEXEC_BACKENDS_CHANNEL_H

#include <cstddef>
#include <string>
#include <vector>
#include <sys/types.h>

#include <nlohmann/json.hpp>

namespace sx::chan {

inline constexpr std::size_t kRecordBytes = 32u << 10;
// Largest message a reader assembles; a longer one is a protocol violation.
inline constexpr std::size_t kMaxMessage = 64u << 20;

// Creates the pair: fds[0] for the supervisor (SO_PASSCRED), fds[1] for the
// interpreter. Both close-on-exec. false on error (errno set).
bool make_pair(int fds[2]);

// Sends one message on a blocking fd. false if the peer is gone.
bool send(int fd, const nlohmann::json &msg);

// The records of one message, for a writer that queues them (a non-blocking
// fd: send_record() says Again when the socket is full).
std::vector<std::string> records(const nlohmann::json &msg);
enum class Sent { Ok, Again, Closed };
Sent send_record(int fd, const std::string &record);

enum class Recv { Message, Again, Closed, Violation };

// Incremental reader for one end (blocking or not: Again only on a
// non-blocking fd with nothing complete).
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}
  // Reads records until a whole message is there. *sender is the pid the
  // kernel reported for its last record (0 if SO_PASSCRED is off).
  // Violation: not JSON, not an object, or longer than kMaxMessage (*why says which).
  Recv next(nlohmann::json *out, pid_t *sender, std::string *why);
  // Forget a partly received message (its writer died).
  void reset() { buf_.clear(), in_message_ = false; }

 private:
  int fd_;
  std::string buf_;
  bool in_message_ = false;
};

}  // namespace sx::chan

#endif
