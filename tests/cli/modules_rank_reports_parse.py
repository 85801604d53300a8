"""modules rank's reports read back: the criteria plot (a panel per criterion, a point per rank,
the chosen rank marked, the values those of the rank table) and a consensus heat map per rank
(samples x samples cells, symmetric shares in [0, 1] with 1 on the diagonal, every sample once
in the order drawn).
usage: modules_rank_reports_parse.py DIR SAMPLES MIN_RANK MAX_RANK"""
import csv
import math
import os
import sys
import xml.etree.ElementTree as ET

d = sys.argv[1]
samples, min_rank, max_rank = (int(x) for x in sys.argv[2:5])
ranks = list(range(min_rank, max_rank + 1))
SVG = "{http://www.w3.org/2000/svg}"

with open(os.path.join(d, "ranks.tsv")) as f:
    table = {int(r["rank"]): r for r in csv.DictReader(f, delimiter="\t")}
assert sorted(table) == ranks, sorted(table)
chosen = [r for r in ranks if table[r]["chosen"] == "1"]
assert len(chosen) == 1, chosen

plot = ET.parse(os.path.join(d, "ranks.svg")).getroot()
panels = [g for g in plot.iter(SVG + "g") if g.get("class") == "panel"]
assert len(panels) == 4, len(panels)
for series in (g for g in plot.iter(SVG + "g") if g.get("class") == "series"):
    name = series.get("data-name")
    points = [c for c in series.iter(SVG + "circle") if c.get("class") == "point"]
    assert [int(p.get("data-rank")) for p in points] == ranks, (name, [p.get("data-rank") for p in points])
    for p in points:
        expected = float(table[int(p.get("data-rank"))][name])
        assert math.isclose(float(p.get("data-value")), expected, rel_tol=1e-5, abs_tol=1e-9), (name, p.attrib, expected)
assert sum(1 for l in plot.iter(SVG + "line") if l.get("class") == "chosen") == 4

for r in ranks:
    heat = ET.parse(os.path.join(d, "consensus", f"consensus_rank{r}.svg")).getroot()
    cells = [c for c in heat.iter(SVG + "rect") if c.get("class") == "cell"]
    assert len(cells) == samples * samples, (r, len(cells))
    labels = [t.text for t in heat.iter(SVG + "text") if t.get("class") == "row-label"]
    assert len(labels) == samples and len(set(labels)) == samples, (r, len(labels))
    value = {}
    for c in cells:
        pair, share = c.find(SVG + "title").text.rsplit(": ", 1)
        a, b = pair.split(" / ")
        value[a, b] = float(share)
        assert 0.0 <= value[a, b] <= 1.0
    for (a, b), v in value.items():
        assert value[b, a] == v, (r, a, b)
        if a == b:
            assert v == 1.0, (r, a)
print("rank reports parsed:", len(ranks), "ranks,", samples, "samples, chosen", chosen[0])
