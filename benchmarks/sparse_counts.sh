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
# Ours: `modules fit` for 1 and for 31 iterations; the difference over 30 is the time per
# iteration (reading and the start cancel out). GNU time gives the peak memory of the longer run.
fit() {
  /usr/bin/time -f "peak %M KB" "$build/examples/modules" fit "$out/counts.mtx" --ranks 10 --restarts 1 \
    --iterations "$1" --tolerance 0 --top-genes 0 -q 2>&1 >/dev/null | grep -E "peak|done in|stored"
}
one=$(fit 1) thirty_one=$(fit 31)
echo "$thirty_one"
seconds() { sed -n 's/.*done in \([0-9.]*\) s.*/\1/p' <<<"$1"; }
awk -v a="$(seconds "$one")" -v b="$(seconds "$thirty_one")" \
  'BEGIN { printf "fusednmf modules fit, sparse, float64: %.0f ms per iteration\n", (b - a) / 30 * 1000 }'
# The peer on the same file: scikit-learn's KL multiplicative updates on a scipy sparse matrix
# (it, too, forms WH only at the stored entries), float64 and float32, the same difference of a
# 1- and a 6-iteration fit over 5.
/usr/bin/python3 - "$out/counts.mtx" <<'PY'
import sys, time, warnings
import numpy as np, scipy.io
from sklearn.decomposition import NMF
warnings.filterwarnings("ignore")  # max_iter reached: on purpose
V = scipy.io.mmread(sys.argv[1]).tocsr()
for dtype in (np.float64, np.float32):
    X = V.astype(dtype)
    times = {}
    for iterations in (1, 6):
        model = NMF(n_components=10, beta_loss="kullback-leibler", solver="mu", init="random",
                    max_iter=iterations, tol=0, random_state=0)
        t0 = time.perf_counter()
        model.fit_transform(X)
        times[iterations] = time.perf_counter() - t0
    print(f"scikit-learn mu, sparse, {np.dtype(dtype).name}: {(times[6] - times[1]) / 5 * 1000:.0f} ms per iteration")
PY
