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
  return buf_.size() - pos_ >= 4 && decode_len(buf_.data() + pos_) > max_;
}

bool FrameReader::next(nlohmann::json *out) {
  if (buf_.size() - pos_ < 4) return false;
  std::uint32_t n = decode_len(buf_.data() + pos_);
  if (n > max_ || buf_.size() - pos_ - 4 < n) return false;
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

std::size_t utf8_prefix(const std::string &s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t n = max;
  // Back off over continuation bytes to the start of the cut character.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::string cap_text(std::string s, std::size_t max, const char *what) {
  if (s.size() <= max) return s;
  s.resize(utf8_prefix(s, max));
  s += "\n[streamexec: ";
  s += what;
  s += " cut at " + std::to_string(max) + " bytes]";
  return s;
}

namespace {

using nlohmann::json;

// A field's expected type.
enum class T { Int, Num, Bool, Str, Obj, StrArray, Mime, MimeArray };

bool has_type(const json &v, T t) {
  switch (t) {
    case T::Int: return v.is_number_integer();
    case T::Num: return v.is_number();
    case T::Bool: return v.is_boolean();
    case T::Str: return v.is_string();
    case T::Obj: return v.is_object();
    case T::StrArray:
      if (!v.is_array()) return false;
      for (const auto &e : v)
        if (!e.is_string()) return false;
      return true;
    case T::Mime:
      if (!v.is_object()) return false;
      for (const auto &e : v)
        if (!e.is_string()) return false;
      return true;
    case T::MimeArray:
      if (!v.is_array()) return false;
      for (const auto &b : v) {
        if (!b.is_object()) return false;
        for (const auto &e : b)
          if (!e.is_string()) return false;
      }
      return true;
  }
  return false;
}

struct Field {
  const char *name;
  T type;
  bool required;
};

bool check_fields(const json &m, std::initializer_list<Field> fields, std::string *why) {
  for (const auto &f : fields) {
    auto it = m.find(f.name);
    if (it == m.end()) {
      if (f.required) {
        *why = std::string("no field '") + f.name + "'";
        return false;
      }
      continue;
    }
    if (!has_type(*it, f.type)) {
      *why = std::string("field '") + f.name + "' of the wrong type";
      return false;
    }
  }
  return true;
}

bool check_error(const json &m, const char *key, std::string *why) {
  auto it = m.find(key);
  if (it == m.end()) return true;
  if (!check_fields(*it, {{"type", T::Str, true}, {"message", T::Str, true}, {"line", T::Int, false},
                          {"traceback", T::Str, false}},
                    why)) {
    *why = std::string(key) + ": " + *why;
    return false;
  }
  return true;
}

}  // namespace

bool check_reply(const json &m, std::string *why) {
  if (!m.is_object()) {
    *why = "a frame that is not an object";
    return false;
  }
  auto op_it = m.find("op");
  if (op_it == m.end() || !op_it->is_string()) {
    *why = "a frame without an op";
    return false;
  }
  const std::string &op = op_it->get_ref<const std::string &>();
  bool ok;
  if (op == "ready") {
    ok = check_fields(m, {{"pid", T::Int, false}, {"pid_namespace", T::Bool, false}, {"startup_ms", T::Num, false},
                          {"globals", T::StrArray, false}, {"sandbox", T::Obj, false}},
                      why);
  } else if (op == "started") {
    ok = check_fields(m, {{"id", T::Int, true}, {"t_mono_ms", T::Num, false}}, why);
  } else if (op == "output") {
    ok = check_fields(m, {{"id", T::Int, true}, {"stream", T::Str, true}, {"text", T::Str, true}}, why);
    if (ok && m["stream"] != "stdout" && m["stream"] != "stderr") {
      *why = "an output stream that is neither stdout nor stderr";
      ok = false;
    }
  } else if (op == "done") {
    ok = check_fields(m, {{"id", T::Int, true}, {"status", T::Str, true}, {"exec_ms", T::Num, false},
                          {"value", T::Str, false}, {"error", T::Obj, false}, {"exit_code", T::Int, false},
                          {"defines_main", T::Bool, false}, {"returned", T::Bool, false},
                          {"value_mime", T::Mime, false}, {"displays", T::MimeArray, false}},
                      why) &&
         check_error(m, "error", why);
  } else if (op == "skipped") {
    ok = check_fields(m, {{"id", T::Int, true}, {"reason", T::Str, false}}, why);
  } else if (op == "program_done") {
    ok = check_fields(m, {{"program", T::Int, true}, {"early", T::Bool, false}, {"status", T::Str, false},
                          {"exit_code", T::Int, false}, {"signal", T::Int, false}, {"error", T::Obj, false},
                          {"note", T::Str, false}, {"unit", T::Int, false}, {"interrupted", T::Bool, false},
                          {"displays", T::MimeArray, false}},
                      why) &&
         check_error(m, "error", why);
  } else if (op == "fatal") {
    ok = check_fields(m, {{"message", T::Str, true}}, why);
  } else {
    *why = "an unknown op";
    ok = false;
  }
  if (!ok) *why = "'" + op.substr(0, 32) + "' frame: " + *why;
  return ok;
}

}  // namespace sx::proto
