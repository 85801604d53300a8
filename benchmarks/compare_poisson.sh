#!/usr/bin/env bash
# KL NMF per iteration and to a common target, ours against scikit-learn's, on one simulated
# count table, in one run.
# usage: benchmarks/compare_poisson.sh BUILD_DIR [GENES SAMPLES MODULES]
set -euo pipefail
build=$1 genes=${2:-20000} samples=${3:-100} modules=${4:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/examples/modules" simulate -o "$work/counts.tsv" --genes "$genes" --samples "$samples" \
  --modules "$modules" --seed 1
FUSEDNMF_COUNTS="$work/counts.tsv" "$build/benchmarks/bench_poisson_nmf" --benchmark_counters_tabular=true \
  --benchmark_filter="BM_time_to_target|BM_kl_iteration"  # BM_sparse_iteration: sparse_counts.sh
/usr/bin/python3 "$here/peer_poisson.py" "$work/counts.tsv" --target-iterations 1000
