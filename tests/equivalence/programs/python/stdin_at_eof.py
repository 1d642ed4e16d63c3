import sys
try:
    line = input("name? ")
except EOFError:
    print("no input (EOF)")
print("rest:", repr(sys.stdin.read()))
