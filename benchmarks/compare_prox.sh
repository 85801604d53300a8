#!/usr/bin/env bash
# Measures the fused-lasso prox side by side with the assignment's numba operator, in one run,
# and prints a markdown table of ns per element (median of repetitions for ours).
# usage: benchmarks/compare_prox.sh [BUILD_DIR] [PEER_BASELINE]   (needs FUSEDNMF_PEERS=1 deps)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
peer=${2:-../shared/peers/baseline_assign2.py}
out=$(mktemp -d)
"$build/benchmarks/bench_prox" --benchmark_min_time=0.3 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/ours.json"
/usr/bin/python3 benchmarks/peer_prox.py "$peer" 1000000 >"$out/peer.txt"
/usr/bin/python3 - "$out/ours.json" "$out/peer.txt" <<'PY'
import json, sys, re, collections
ours = json.load(open(sys.argv[1]))["benchmarks"]
peer = {}
for line in open(sys.argv[2]):
    fam, lam, ns = line.split(); peer[(fam, float(lam))] = float(ns)
fams = ["staircase", "genomic", "ramp", "noisy_ramp"]
rows = collections.defaultdict(dict)
floor = {}
for b in ours:
    if b.get("aggregate_name") != "median": continue
    name = b["run_name"]
    m = re.match(r"BM_(\w+)<(\w+)(?:, prox::(\w+))?(?:, (\d+))?>/family:(\d)/n:(\d+)/(?:lambda_x10|unused):(\d+)", name)
    kind, scalar, variant, threads, fam, n, lam10 = m.groups()
    if threads: variant += f" x{threads}"
    if kind == "copy_floor":
        floor[(scalar, int(n))] = b["ns_per_el"]; continue
    rows[(fams[int(fam)], int(lam10) / 10, int(n))][(scalar, variant)] = b["ns_per_el"]
cols = [("double", "Condat"), ("double", "Condat x2"), ("double", "DynamicProgramming"), ("float", "Condat"),
        ("float", "DynamicProgramming")]
print("| family | lambda | n | Condat (default), double | the same, 2 threads | DP, double | Condat, float | DP, float "
      "| peer numba DP, double | peer / ours, 1 thread | peer / ours, 2 threads |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: (fams.index(k[0]), k[2], k[1])):
    fam, lam, n = key
    vals = [rows[key].get(c) for c in cols]
    p = peer.get((fam, lam)) if n == 1000000 else None
    ratios = [f"{p / v:.1f}x" if p and v else "" for v in vals[:2]]
    print(f"| {fam} | {lam:g} | {n:.0e} | " + " | ".join(f"{v:.1f}" if v else "" for v in vals)
          + (f" | {p:.1f} | {ratios[0]} | {ratios[1]} |" if p else " | | | |"))
print()
print("copy floor (memcpy of n scalars), ns/el: " + ", ".join(f"{s} n={n:.0e}: {v:.2f}" for (s, n), v in sorted(floor.items())))
PY
