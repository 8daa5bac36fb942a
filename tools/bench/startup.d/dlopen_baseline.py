"""Fallback baseline for tools/bench/startup when no C++ compiler is available:
dlopen each library named on the command line (RTLD_LOCAL | RTLD_NOW) and print the
in-process time in ms. Its exec-to-exit time includes Python's own start."""
import ctypes
import os
import sys
import time

start = time.perf_counter()
for path in sys.argv[1:]:
    ctypes.CDLL(path, mode=os.RTLD_LOCAL | os.RTLD_NOW)
print("%.3f" % ((time.perf_counter() - start) * 1000.0))
