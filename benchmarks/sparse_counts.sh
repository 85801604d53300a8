#!/usr/bin/env bash
# Sparse counts through `modules fit`: a 30,000 x 5,000 Matrix Market file with about 5 % of its
# cells non-zero (planted modules, low depth), fitted at rank 10 for 30 iterations. Prints the
# seconds and peak memory of the run (GNU time) and the file's size; the dense path's time per
# iteration on such counts is bench_poisson_nmf's BM_sparse_iteration/1. Needs Debian's python3 with NumPy (scripts/install-deps.sh
# with FUSEDNMF_PEERS=1).
# usage: benchmarks/sparse_counts.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build} out=${2:-out/sparse_counts}
mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import sys, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(1)
N, M, R = 30000, 5000, 10
W = rng.gamma(1.0, 1.0, (N, R)) * (rng.random((N, R)) < 0.3)
H = rng.dirichlet(np.ones(R), M).T
scale = 0.052 / (W @ H).mean()          # about 5 % of the cells non-zero
rows, cols, vals = [], [], []
for start in range(0, N, 2000):          # in row blocks: the dense mean is never whole
    mean = scale * W[start:start + 2000] @ H
    counts = rng.poisson(mean)
    r, c = np.nonzero(counts)
    rows.append(r + start); cols.append(c); vals.append(counts[r, c])
rows, cols, vals = map(np.concatenate, (rows, cols, vals))
with open(f"{out}/counts.mtx", "w") as f:
    f.write("%%MatrixMarket matrix coordinate integer general\n")
    f.write(f"{N} {M} {len(vals)}\n")
    np.savetxt(f, np.column_stack([rows + 1, cols + 1, vals]), fmt="%d")
print(f"{N} x {M}, {len(vals)} non-zero ({100 * len(vals) / (N * M):.2f} %)")
PY
ls -l "$out"/counts.mtx
/usr/bin/time -f "modules fit counts.mtx: %e s wall, %M KB peak" \
  "$build/examples/modules" fit "$out/counts.mtx" --ranks 10 --restarts 1 --iterations 30 --tolerance 0 \
  --top-genes 0 2>&1 | grep -E "peak|done in|stored|restart"
