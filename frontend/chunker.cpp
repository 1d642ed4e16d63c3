#include "frontend/chunker.h"

#include "frontend/python/python_chunker.h"
#ifdef SX_HAVE_JS_CHUNKER
#include "frontend/javascript/javascript_chunker.h"
#endif
#ifdef SX_HAVE_CPP_CHUNKER
#include "frontend/cpp/cpp_chunker.h"
#endif

namespace sx {

std::unique_ptr<Chunker> make_chunker(Lang lang, ChunkSink &sink) {
  switch (lang) {
    case Lang::Python: return std::make_unique<PythonChunker>(sink);
#ifdef SX_HAVE_JS_CHUNKER
    case Lang::JavaScript: return std::make_unique<JavaScriptChunker>(sink);
#endif
#ifdef SX_HAVE_CPP_CHUNKER
    case Lang::Cpp: return std::make_unique<CppChunker>(sink);
#endif
    default: return nullptr;
  }
}

}  // namespace sx
