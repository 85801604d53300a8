#!/usr/bin/env bash
# How much assign2's result turns on --seed, which (with the default NNDSVDa start) only draws
# the blocks the λ cross-validation hides: for each tuning set and seeds 0..N-1, the λ chosen and
# the grader's r (assign2 --annotation, the same number as ../shared/peers/evaluate.py), then per
# set the mean r and how many seeds chose the most frequent λ, and the binarized twelve-region
# mean per seed. Extra flags go to every run (e.g. --lambda-repeats 1 for one partition).
# usage: benchmarks/lambda_seeds.sh [BUILD_DIR] [DATA_DIR] [SEEDS] [assign2 flags...]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${2:-../shared/data}
seeds=${3:-12}
shift $(($# < 3 ? $# : 3))
a2=$build/examples/assign2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gm=$data/gm12878_chr11
dense=$data/gm12878_dense_hg19
run() {  # name, then assign2's region flags
  local name=$1
  shift
  for ((seed = 0; seed < seeds; ++seed)); do
    "$a2" "$@" -k 5 -o "$work/w.npy" --seed "$seed" "${extra[@]}" 2>"$work/err" >"$work/out" || { echo "$name: assign2 failed" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\n' "$name" "$seed" "$(grep -o 'lambda *[0-9.e+]* .*chosen' "$work/err" | awk '{print $2}')" \
      "$(cut -d' ' -f2 "$work/out")"
  done
}
extra=("$@")
{
  for start in 1000000 20000000 45000000 65000000 85000000 110000000; do
    for len in 10000000 500000; do
      run "binarized chr11:$start+$len" -b "$gm/tracks" -c chr11 -s "$start" -e $((start + len)) \
        --annotation "$gm/annotation/Annotation_hg18.Gene.bw"
    done
  done
  run "dense ENr231" -b "$dense/ENr231/tracks" -c chr1 -s 151158000 -e 151658000 --annotation "$dense/ENr231/annotation/genes.bw"
  run "dense ENm011" -b "$dense/ENm011/tracks" -c chr11 -s 1743400 -e 2349400 --annotation "$dense/ENm011/annotation/genes.bw"
} >"$work/runs.tsv"
/usr/bin/python3 - "$work/runs.tsv" <<'PY'
import collections, sys
runs = collections.OrderedDict()
for line in open(sys.argv[1]):
    name, seed, lam, r = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((lam, float(r)))
print("| set | seed 0: λ, r | mean r over seeds | seeds at the most frequent λ |")
print("|---|---|---|---|")
for name, v in runs.items():
    top = collections.Counter(l for l, _ in v).most_common(1)[0]
    print(f"| {name} | {v[0][0]}, {v[0][1]:.4f} | {sum(r for _, r in v) / len(v):.4f} | {top[1]} of {len(v)} (λ {top[0]}) |")
binarized = [v for n, v in runs.items() if n.startswith("binarized")]
means = [sum(v[s][1] for v in binarized) / len(binarized) for s in range(len(binarized[0]))]
print("binarized twelve-region mean per seed:", " ".join(f"{m:.3f}" for m in means),
      f"| mean {sum(means) / len(means):.4f}, at least 0.40 on {sum(m >= 0.40 for m in means)} of {len(means)}")
PY
