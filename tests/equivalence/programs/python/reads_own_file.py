#!/usr/bin/env python3
# A script that reads its own file (as quines, self-tests and scripts that
# print their usage from their docstring do) and lists its directory.
import os

lines = open(__file__).read().splitlines()
print(lines[0])
print(lines[1])
print(os.path.basename(__file__), sorted(os.listdir(".")))
