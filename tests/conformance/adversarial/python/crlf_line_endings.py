x = 1
if x:
    y = [1,
2]
else:
    y = None
# comment

z = """a
b"""
def g():
    return (x +
            1)
print(x, y, z, g())
