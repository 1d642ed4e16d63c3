#include <string_view>
#include <array>
#include <cstdio>

struct Limits {
  static inline int max_users = 100;
  static constexpr std::string_view name = "limits";
};

inline constexpr std::array<int, 4> primes{2, 3, 5, 7};
inline int request_count = 0;

Limits::max_users += 50;
++request_count;
std::printf("%d %.*s %d %d\n", Limits::max_users, static_cast<int>(Limits::name.size()), Limits::name.data(),
            primes[3], request_count);
