#include <bit>
#include <cstdint>
#include <cstdio>

constexpr bool is_pow2(std::uint32_t v) { return v && !(v & (v - 1)); }
std::uint32_t x = 0b0001'0110;
int ones = std::popcount(x);
int lead = std::countl_zero(x);
auto next = std::bit_ceil(std::uint32_t{37});
std::uint32_t rotated = std::rotl(x, 3);
std::printf("%d %d %u %u %d\n", ones, lead, next, rotated, is_pow2(64));
x ^= x >> 1;
x <<= 2;
