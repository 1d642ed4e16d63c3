#include <vector>
#include <queue>
#include <limits>
#include <utility>
#include <iostream>

using Edge = std::pair<int, int>;  // (to, weight)
std::vector<std::vector<Edge>> g(5);
auto link = [](int a, int b, int w) { g[a].push_back({b, w}); g[b].push_back({a, w}); };
link(0, 1, 4);
link(0, 2, 1);
link(2, 1, 2);
link(1, 3, 5);
link(3, 4, 3);

std::vector<int> shortest(int src) {
  std::vector<int> d(g.size(), std::numeric_limits<int>::max());
  std::priority_queue<std::pair<int, int>, std::vector<std::pair<int, int>>, std::greater<>> pq;
  d[src] = 0;
  pq.push({0, src});
  while (!pq.empty()) {
    auto [du, u] = pq.top();
    pq.pop();
    if (du > d[u]) continue;
    for (auto [v, w] : g[u])
      if (d[u] + w < d[v]) {
        d[v] = d[u] + w;
        pq.push({d[v], v});
      }
  }
  return d;
}

auto d = shortest(0);
for (int x : d) std::cout << x << ' ';
std::cout << std::endl;
