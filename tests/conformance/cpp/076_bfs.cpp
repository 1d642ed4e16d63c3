#include <vector>
#include <queue>
#include <cstdio>

std::vector<std::vector<int>> adj = {{1, 2}, {3}, {3, 4}, {5}, {5}, {}};
std::vector<int> dist(adj.size(), -1);
std::queue<int> frontier;
dist[0] = 0;
frontier.push(0);
while (!frontier.empty()) {
  int u = frontier.front();
  frontier.pop();
  for (int v : adj[u]) {
    if (dist[v] == -1) {
      dist[v] = dist[u] + 1;
      frontier.push(v);
    }
  }
}
for (std::size_t i = 0; i < dist.size(); ++i) std::printf("node %zu: %d\n", i, dist[i]);
