from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Node:
    value: int
    next: Node | None = None


def build(values: list[int]) -> Node | None:
    head = None
    for v in reversed(values):
        head = Node(v, head)
    return head


n = build([1, 2, 3])
while n:
    print(n.value, type(n).__annotations__["next"])
    n = n.next
