def parse(x):
    return int(x)

values = ["1", "2", "three", "4"]
total = 0
for v in values:
    total += parse(v)
    print("running total", total)
print("not reached")
