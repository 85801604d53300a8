"""Pairs of .npy files agree: the largest difference, relative to the largest value of the first
of each pair, stays below TOLERANCE.  usage: compare_npy.py TOLERANCE A1 B1 [A2 B2 ...]"""
import sys

import numpy as np

tolerance, files = float(sys.argv[1]), sys.argv[2:]
assert files and len(files) % 2 == 0, "pairs of files expected"
worst = 0.0
for a, b in zip(files[0::2], files[1::2]):
    x, y = np.load(a), np.load(b)
    assert x.shape == y.shape, f"{a} {x.shape} against {b} {y.shape}"
    worst = max(worst, float(np.abs(x - y).max() / max(np.abs(x).max(), 1e-300)))
print("largest difference / largest value", worst)
assert worst < tolerance
