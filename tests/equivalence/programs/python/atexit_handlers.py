import atexit

def goodbye(name):
    print("goodbye", name)

atexit.register(goodbye, "first")
atexit.register(goodbye, "second")

@atexit.register
def last_words():
    print("decorated handler")

print("main body done")
