#include <unordered_map>
#include <cstdint>
#include <cstdio>

std::unordered_map<int, std::uint64_t> memo;

std::uint64_t ways(int n) {
  if (n < 0) return 0;
  if (n == 0) return 1;
  if (auto it = memo.find(n); it != memo.end()) return it->second;
  std::uint64_t r = ways(n - 1) + ways(n - 2) + ways(n - 3);
  memo[n] = r;
  return r;
}

for (int n : {5, 10, 30}) std::printf("ways(%d) = %llu\n", n, static_cast<unsigned long long>(ways(n)));
