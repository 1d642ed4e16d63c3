import sys
print("checking input")
if len(sys.argv) == 1:
    print("no arguments: failing with status 3")
    sys.exit(3)
print("not reached")
