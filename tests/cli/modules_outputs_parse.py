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
# Each sample's cluster: the module with the largest share of its expected counts, from W and H.
with open(os.path.join(d, "clusters.tsv")) as f:
    clusters = list(csv.DictReader(f, delimiter="\t"))
assert len(clusters) == samples
shares = w.sum(axis=0)[:, None] * h  # modules x samples
shares /= shares.sum(axis=0)
for c, row in enumerate(clusters):
    assert int(row["cluster"]) == int(np.argmax(shares[:, c])) + 1, (c, row)
    assert abs(float(row["share"]) - shares[:, c].max()) < 1e-6
# The rank table: one row per rank tried, exactly one chosen, and it is the planted rank.
with open(os.path.join(d, "ranks.tsv")) as f:
    ranks = list(csv.DictReader(f, delimiter="\t"))
chosen = [int(r["rank"]) for r in ranks if r["chosen"] == "1"]
assert chosen == [modules], chosen
assert all(float(r["cv_deviance"]) > 0 and float(r["cophenetic"]) <= 1 + 1e-9 for r in ranks)
