#include <memory>
#include <iostream>
#include <vector>

struct Node {
  int value;
  std::unique_ptr<Node> next;
  explicit Node(int v) : value(v) {}
};

auto head = std::make_unique<Node>(1);
head->next = std::make_unique<Node>(2);
head->next->next = std::make_unique<Node>(3);
int total = 0;
for (Node *p = head.get(); p != nullptr; p = p->next.get()) total += p->value;
std::shared_ptr<std::vector<int>> shared = std::make_shared<std::vector<int>>(3, 9);
auto copy = shared;
std::cout << total << " " << copy.use_count() << "\n";
