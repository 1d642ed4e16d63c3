#!/usr/bin/env python3
# A script that closes the descriptors it did not open (as daemonising code
# does) and then opens a file of its own, which gets a number just closed. The
# runner must not write into it whatever it once had under that number.
import os


def tidy_then_open(path):
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + name)
        except OSError:
            continue
        if target.endswith(".py"):  # its own source, if the runner keeps it open
            os.close(int(name))
    return open(path, "w")


notes = tidy_then_open("notes.txt")
notes.write("mine\n")
print("opened")

notes.close()
print(repr(open("notes.txt").read()))
