#include <cstdio>

#define FEATURE_FAST 1

#ifdef FEATURE_FAST
int mode = 2;
#else
int mode = 1;
#endif

#if defined(FEATURE_FAST) && FEATURE_FAST > 0
#define SPEED "fast"
#elif defined(FEATURE_SLOW)
#define SPEED "slow"
#else
#define SPEED "normal"
#endif

#ifndef MISSING_HEADER_GUARD
#define MISSING_HEADER_GUARD
const char *guarded = "once";
#endif

#if 0
this is never compiled { ; }
#endif

#pragma pack(push, 1)
struct Packed { char c; int i; };
#pragma pack(pop)

std::printf("%d %s %zu %s\n", mode, SPEED, sizeof(Packed), guarded);
