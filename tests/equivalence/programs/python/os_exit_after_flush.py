import os
print("flushed line", flush=True)
os._exit(5)
