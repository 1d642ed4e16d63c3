// The one interface every language's incremental chunker implements.
//
// A chunker receives the bytes of ONE program text (a fence body, or the whole
// stream in raw mode) in chunks of any size and reports each closed unit as
// soon as the bytes seen prove it closed (docs/DESIGN.md §3). Positions it reports are
// relative to that program text (offset 0 = first byte fed, line 1, col 0);
// the router maps them to answer positions.
#ifndef STREAMEXEC_FRONTEND_CHUNKER_H
#define STREAMEXEC_FRONTEND_CHUNKER_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace sx {

// A closed unit in program-text coordinates.
struct ChunkUnit {
  std::string code;       // exact bytes [begin.offset, end)
  Pos begin;              // first byte (offset/line/col in the program text)
  std::uint64_t end = 0;  // one past the last byte
  UnitKind kind = UnitKind::Other;
  std::vector<std::string> defines, uses;
};

struct ChunkError {
  Pos at;               // where the error is, in program-text coordinates
  std::string message;
  std::string code;     // text of the open unit that failed
  Pos unit_begin;
};

class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  virtual void on_unit(ChunkUnit &&u) = 0;
  // After a syntax error the chunker discards the rest of its input.
  virtual void on_error(ChunkError &&e) = 0;
};

class Chunker {
 public:
  virtual ~Chunker() = default;
  virtual void feed(std::string_view bytes) = 0;
  // End of the program text: whatever is open is either a unit or an error.
  virtual void finish() = 0;
};

// Factory: a chunker for `lang` that reports to `sink` (not owned; must
// outlive the chunker). Returns nullptr for languages without a chunker.
std::unique_ptr<Chunker> make_chunker(Lang lang, ChunkSink &sink);

}  // namespace sx

#endif
