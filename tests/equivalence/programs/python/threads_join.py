import threading

results = [0] * 4

def work(i):
    results[i] = sum(range(i * 1000))

threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(results)
