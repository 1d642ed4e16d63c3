# What a program finds loaded when it starts, and the source lines that
# tracebacks, warnings and inspect read (the worker imports traceback,
# linecache and ast only when first needed, as a native run does).
import sys

lazy = ["ast", "traceback", "linecache", "tokenize", "re", "enum", "__future__", "textwrap"]
print("loaded at start:", [m for m in lazy if m in sys.modules])


def twice(x):
    return x * 2


import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    warnings.warn("careful")  # the warned line
import linecache

w = caught[0]
print("warning:", w.message, repr(linecache.getline(w.filename, w.lineno).strip()))

import inspect

print(inspect.getsource(twice), end="")

import traceback


def fails():
    return 1 / 0  # the failing line


try:
    fails()
except ZeroDivisionError:
    frames = traceback.extract_tb(sys.exc_info()[2])
    print([(f.name, f.line) for f in frames])
