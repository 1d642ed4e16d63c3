import atexit, sys
atexit.register(lambda: print("cleanup ran"))
print("exiting with 4")
sys.exit(4)
