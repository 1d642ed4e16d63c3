#include <unordered_map>
#include <set>
#include <queue>
#include <deque>
#include <string>
#include <iostream>

std::unordered_map<std::string, int> freq;
for (const char *w : {"a", "b", "a", "c", "a"}) ++freq[w];
std::set<int> uniq{5, 1, 5, 3, 1};
std::priority_queue<int, std::vector<int>, std::greater<int>> pq;
for (int x : uniq) pq.push(x);
std::deque<char> dq{'m', 'n'};
dq.push_front('l');
std::cout << freq["a"] << " " << uniq.size() << " " << pq.top() << " " << dq.front() << "\n";
