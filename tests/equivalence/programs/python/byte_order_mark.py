print("a file saved with a byte order mark")
print(sum(range(10)))
