# The reference rejects this file: the bracket in the string does not count,
# the one in the code is never closed.
ok = "((("
values = [1, 2, 3
print(values)
