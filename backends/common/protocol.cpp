#include "backends/common/protocol.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace sx::proto {

static bool write_all(int fd, const char *p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

std::string encode_frame(const nlohmann::json &msg) {
  // Invalid UTF-8 from a unit's output must not throw: replace it.
  std::string payload = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::uint32_t n = static_cast<std::uint32_t>(payload.size());
  char hdr[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                 static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  std::string frame(hdr, 4);
  frame += payload;
  return frame;
}

bool write_frame(int fd, const nlohmann::json &msg) {
  std::string frame = encode_frame(msg);
  return write_all(fd, frame.data(), frame.size());
}

static std::uint32_t decode_len(const char *p) {
  auto b = reinterpret_cast<const unsigned char *>(p);
  return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
         (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
}

bool FrameReader::oversized() const {
  return buf_.size() - pos_ >= 4 && decode_len(buf_.data() + pos_) > kMaxFrame;
}

bool FrameReader::next(nlohmann::json *out) {
  if (buf_.size() - pos_ < 4) return false;
  std::uint32_t n = decode_len(buf_.data() + pos_);
  if (buf_.size() - pos_ - 4 < n) return false;
  *out = nlohmann::json::parse(buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + 4),
                               buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + 4 + n));
  pos_ += 4 + n;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > (1u << 20)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return true;
}

static bool read_all(int fd, char *p, std::size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool read_frame_blocking(int fd, nlohmann::json *out) {
  char hdr[4];
  if (!read_all(fd, hdr, 4)) return false;
  std::uint32_t n = decode_len(hdr);
  if (n > kMaxFrame) return false;
  std::string payload(n, '\0');
  if (!read_all(fd, payload.data(), n)) return false;
  try {
    *out = nlohmann::json::parse(payload);
  } catch (const nlohmann::json::exception &) {
    return false;
  }
  return true;
}

}  // namespace sx::proto
