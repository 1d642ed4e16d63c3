#include <memory>
#include <iostream>

template <typename T>
class List {
  struct Node {
    T value;
    std::unique_ptr<Node> next;
  };
  std::unique_ptr<Node> head_;
  std::size_t size_ = 0;

 public:
  void push_front(T v) {
    head_ = std::unique_ptr<Node>(new Node{std::move(v), std::move(head_)});
    ++size_;
  }
  template <typename F>
  void for_each(F f) const {
    for (Node *n = head_.get(); n; n = n->next.get()) f(n->value);
  }
  std::size_t size() const { return size_; }
};

List<std::string> names;
names.push_front("c");
names.push_front("b");
names.push_front("a");
names.for_each([](const std::string &s) { std::cout << s; });
std::cout << " (" << names.size() << ")\n";
