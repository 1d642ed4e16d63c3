#include <cstdio>

typedef struct {
  int x, y;
} Vec2;

typedef struct Node_ {
  int value;
  struct Node_ *next;
} Node, *NodePtr;

typedef unsigned long ulong;
typedef void (*visitor)(Node *);

Vec2 v = {1, 2};
Node n2 = {2, nullptr};
Node n1 = {1, &n2};
NodePtr head = &n1;
ulong count = 0;
void print_node(Node *n) { std::printf("node %d\n", n->value); }
visitor vis = print_node;
for (NodePtr p = head; p; p = p->next) { vis(p); ++count; }
