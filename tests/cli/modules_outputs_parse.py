"""modules fit's outputs read back: W and H shapes, one assignment per gene over every module, a
histogram over all gene-module shares, and at least the planted share of moonlighting genes.
usage: modules_outputs_parse.py DIR GENES SAMPLES MODULES MIN_MOONLIGHTING"""
import csv
import os
import sys

import numpy as np

d = sys.argv[1]
genes, samples, modules, min_moonlighting = (int(x) for x in sys.argv[2:6])
w, h = np.load(os.path.join(d, "w.npy")), np.load(os.path.join(d, "h.npy"))
assert w.shape == (genes, modules) and h.shape == (modules, samples), (w.shape, h.shape)
with open(os.path.join(d, "assignments.tsv")) as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
with open(os.path.join(d, "histogram.tsv")) as f:
    hist = list(csv.DictReader(f, delimiter="\t"))
assert len(rows) == genes and {r["module"] for r in rows} == {str(m) for m in range(1, modules + 1)}
assert sum(int(r["count"]) for r in hist) == genes * modules
assert sum(r["moonlighting"] == "yes" for r in rows) >= min_moonlighting
