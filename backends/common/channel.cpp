#include "backends/common/channel.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace sx::chan {

bool make_pair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return false;
  int one = 1;
  setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  return true;
}

std::vector<std::string> records(const nlohmann::json &msg) {
  // Invalid UTF-8 (a unit's text) must not throw: replace it.
  std::string s = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  constexpr std::size_t kPayload = kRecordBytes - 1;
  std::vector<std::string> out;
  if (s.size() <= kPayload) {
    out.push_back('S' + s);
    return out;
  }
  for (std::size_t at = 0; at < s.size(); at += kPayload) {
    std::size_t n = std::min(kPayload, s.size() - at);
    char tag = at == 0 ? 'B' : at + n == s.size() ? 'E' : 'C';
    out.push_back(tag + s.substr(at, n));
  }
  return out;
}

Sent send_record(int fd, const std::string &record) {
  for (;;) {
    if (::send(fd, record.data(), record.size(), MSG_NOSIGNAL) >= 0) return Sent::Ok;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Sent::Again;
    return Sent::Closed;
  }
}

bool send(int fd, const nlohmann::json &msg) {
  for (const std::string &r : records(msg)) {
    if (send_record(fd, r) != Sent::Ok) return false;
  }
  return true;
}

Recv Reader::next(nlohmann::json *out, pid_t *sender, std::string *why) {
  static thread_local char rec[kRecordBytes + 1];
  for (;;) {
    iovec iov{rec, sizeof rec};
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred))];
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    ssize_t n = recvmsg(fd_, &m, MSG_CMSG_CLOEXEC);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Recv::Again;
      return Recv::Closed;
    }
    if (n == 0) return Recv::Closed;  // SEQPACKET: a zero-length read is EOF
    // A descriptor passed to us (SCM_RIGHTS) would stay open here: close it.
    for (cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && sender) {
        ucred cr;
        std::memcpy(&cr, CMSG_DATA(c), sizeof cr);
        *sender = cr.pid;
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < k; ++i) {
          int passed;
          std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed);
          close(passed);
        }
      }
    }
    if (m.msg_flags & MSG_TRUNC) {
      *why = "a record longer than the channel's record size";
      return Recv::Violation;
    }
    char tag = rec[0];
    const char *p = rec + 1;
    std::size_t len = static_cast<std::size_t>(n) - 1;
    if (tag == 'S' || tag == 'B') {
      buf_.assign(p, len);  // a half message before it was its dead writer's
      in_message_ = tag == 'B';
      if (in_message_) continue;
    } else if ((tag == 'C' || tag == 'E') && in_message_) {
      if (buf_.size() + len > kMaxMessage) {
        *why = "a message longer than " + std::to_string(kMaxMessage) + " bytes";
        reset();
        return Recv::Violation;
      }
      buf_.append(p, len);
      if (tag == 'C') continue;
      in_message_ = false;
    } else if (tag == 'C' || tag == 'E') {
      continue;  // the rest of a message whose start a dead reader took
    } else {
      *why = "a record with an unknown tag";
      return Recv::Violation;
    }
    try {
      *out = nlohmann::json::parse(buf_);
    } catch (const nlohmann::json::exception &e) {
      *why = std::string("not JSON: ") + e.what();
      buf_.clear();
      return Recv::Violation;
    }
    buf_.clear();
    if (!out->is_object()) {
      *why = "not a JSON object";
      return Recv::Violation;
    }
    return Recv::Message;
  }
}

}  // namespace sx::chan
