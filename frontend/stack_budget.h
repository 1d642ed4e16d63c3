// Stack budget of the recursive confirm passes (ANTLR parse, tree walks).
//
// Nesting that is not brackets (`- - - 1`, `() => () => …`, `not not …`)
// recurses without a grammar limit, so each pass measures its own stack use
// from the frame where it started and reports "nested too deeply" past a
// budget instead of overflowing. The budget is `cap`, or less when the
// calling thread's stack has less left (a user may call sx_feed from a thread
// with a small stack). Sanitizer builds use several times more stack per
// level, so there the cap is raised and only the thread's stack bounds it
// (scripts/sanitize runs the tests with a large stack limit).
#ifndef STREAMEXEC_FRONTEND_STACK_BUDGET_H
#define STREAMEXEC_FRONTEND_STACK_BUDGET_H

#include <pthread.h>

#include <cstdint>

namespace sx {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SX_STACK_HUNGRY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SX_STACK_HUNGRY 1
#endif
#endif

// Lowest usable address of the calling thread's stack (0 if unknown);
// computed once per thread (for the main thread glibc reads /proc).
inline std::uintptr_t thread_stack_low() {
  thread_local std::uintptr_t low = [] {
    std::uintptr_t l = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void *addr = nullptr;
      std::size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) l = reinterpret_cast<std::uintptr_t>(addr);
      pthread_attr_destroy(&attr);
    }
    return l;
  }();
  return low;
}

// Bytes the pass starting at frame address `base` may use.
inline std::uintptr_t stack_budget(std::uintptr_t base, std::uintptr_t cap) {
#ifdef SX_STACK_HUNGRY
  cap *= 256;
#endif
  constexpr std::uintptr_t kMargin = 256u << 10;  // for the runtime below the last checked frame
  std::uintptr_t low = thread_stack_low();
  if (low == 0 || base <= low + kMargin) return cap;
  std::uintptr_t left = base - low - kMargin;
  return left < cap ? left : cap;
}

}  // namespace sx

#endif
