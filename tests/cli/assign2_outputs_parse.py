"""assign2's outputs for people to look at, read back: H as TSV equals h.npy, the SVG plot has a
lane per factor, one for the annotation and one per --plot-tracks entry, and there is one factor
bigWig per factor.  usage: assign2_outputs_parse.py DIR K TRACKS PLOTTED_TRACKS"""
import csv
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np

d, k, tracks, plotted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
h = np.load(os.path.join(d, "h.npy"))
with open(os.path.join(d, "h.tsv")) as f:
    rows = list(csv.reader(f, delimiter="\t"))
assert rows[0][0] == "factor" and len(rows[0]) == tracks + 1 and rows[0][1].endswith(".bw"), rows[0]
table = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
assert table.shape == (k, tracks) and np.allclose(table, h, rtol=1e-6), (table, h)
svg = ET.parse(os.path.join(d, "plot.svg")).getroot()
lanes = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "lane"]
assert len(lanes) == k + 1 + plotted, len(lanes)
assert sorted(os.listdir(os.path.join(d, "factors"))) == ["w.factor%d.bw" % j for j in range(1, k + 1)]
