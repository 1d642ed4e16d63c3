#include <thread>
#include <mutex>
#include <atomic>
#include <vector>
#include <cstdio>

std::atomic<int> hits{0};
std::mutex mtx;
int guarded_total = 0;

void work(int id) {
  for (int i = 0; i < 100; ++i) ++hits;
  std::lock_guard<std::mutex> lock(mtx);
  guarded_total += id;
}

std::vector<std::thread> pool;
for (int i = 0; i < 4; ++i) pool.emplace_back(work, i);
for (auto &t : pool) t.join();
std::printf("%d %d\n", hits.load(), guarded_total);
