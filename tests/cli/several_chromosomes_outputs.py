"""A fit over chr1 and chr2 writes W per chromosome (w.chr1.npy, w.chr2.npy), no w.npy, a shared
H and a factor bigWig per factor.  usage: several_chromosomes_outputs.py DIR"""
import os
import sys

import numpy as np

d = sys.argv[1]
a, b, h = (np.load(os.path.join(d, f)) for f in ("w.chr1.npy", "w.chr2.npy", "h.npy"))
assert a.shape == (3000000, 3) and b.shape == (2000000, 3) and h.shape == (3, 12), (a.shape, b.shape, h.shape)
assert not os.path.exists(os.path.join(d, "w.npy"))
assert len(os.listdir(os.path.join(d, "factors"))) == 3
