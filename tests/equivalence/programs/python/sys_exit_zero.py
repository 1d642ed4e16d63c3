import sys

def main():
    print("working")
    sys.exit(0)

main()
print("not reached")
