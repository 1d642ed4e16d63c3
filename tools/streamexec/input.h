// The CLI's input: an answer read from a file and cut into tokens as a model
// would stream it (--split), or standard input fed as it arrives; UTF-8
// checked either way. Errors are std::runtime_error with a one-line message.
#ifndef STREAMEXEC_TOOLS_INPUT_H
#define STREAMEXEC_TOOLS_INPUT_H

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sx::cli {

// The whole file.
std::string read_file(const std::string &path);

// The answer as tokens: bpe (o200k, from bpe_file or the default) | byte |
// line | whole | random[:SEED].
std::vector<std::string> split_input(const std::string &data, const std::string &how, const std::string &bpe_file);

// The languages (bit mask, 1 << sx_lang) of the fences a markdown answer
// opens (```python, ~~~ js, …; names as sx_lang_from_name reads them).
unsigned fence_languages(std::string_view answer);

// What standard input has now: blocks until at least one byte (or EOF) and
// returns what one read() gives, up to `max` bytes; "" at EOF.
std::string read_available(int fd, std::size_t max = 1 << 16);

// UTF-8 checked piece by piece, as a stream arrives: a sequence may be split
// between pieces.
class Utf8Check {
 public:
  // false at the first invalid byte (then where() says where).
  bool feed(std::string_view piece);
  // false if the stream ends inside a sequence.
  bool finish();
  // "byte N (line L)" of the first invalid byte.
  std::string where() const;

 private:
  std::string pending_;      // an incomplete sequence at the end of the last piece
  std::size_t offset_ = 0;   // stream offset of pending_[0]
  std::size_t lines_ = 1;    // line of pending_[0]
  std::size_t bad_ = 0, bad_line_ = 0;
};

}  // namespace sx::cli

#endif
