import sys


def depth(n):
    try:
        return depth(n + 1)
    except RecursionError:
        return n


print("limit", sys.getrecursionlimit())
print("reached", depth(1))
