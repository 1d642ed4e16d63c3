import sys
print("a", end="")
sys.stdout.write("b")
print("c", end=" ")
for i in range(3):
    print(i, end=",")
print()
sys.stdout.write("no newline at the end")
