#!/usr/bin/env bash
# The grader's r (max Pearson r of a column of W with the gene annotation) of assign2 over six
# regions of GM12878 chr11 (binarized calls), 10 Mb and 500 kb each, k = 5, for the defaults and
# for ablations. benchmarks/quality_dense.sh is its counterpart on dense signal; the defaults are
# chosen on both together, never on one.
# usage: benchmarks/quality_regions.sh [BUILD_DIR] [GM12878_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
gm=${2:-../shared/data/gm12878_chr11}
ann=$gm/annotation/Annotation_hg18.Gene.bw
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
starts=(1000000 20000000 45000000 65000000 85000000 110000000)
header="| settings |"
rule="|---|"
for s in "${starts[@]}"; do
  header+=" $((s / 1000000))–$((s / 1000000 + 10)) Mb | $((s / 1000000))–$((s / 1000000)).5 Mb |"
  rule+="---|---|"
done
echo "$header mean |"
echo "$rule---|"
endings=()
while IFS='|' read -r label args; do
  row="| $label |"
  ended="| $label |"
  total=0
  for s in "${starts[@]}"; do
    for len in 10000000 500000; do
      # shellcheck disable=SC2086
      r=$("$build/examples/assign2" -b "$gm/tracks" -c chr11 -s "$s" -e $((s + len)) -k 5 -o "$out/w.npy" \
            --annotation "$ann" $args 2>"$out/log" | cut -d' ' -f2)
      # How the fit ended: sweeps, converged or not, NMF seconds (shown below the table).
      ended+=" $(sed -n 's/.*: \([0-9]*\) iterations ([a-z]*, \([a-z]*\).*NMF \([0-9.]*\) s.*/\1 \2 \3 s/p' "$out/log" | sed 's/ converged/ ✓/; s/ reached/ max/') |"
      row+=" $r |"
      total=$(echo "$total + $r" | bc -l)
    done
  done
  echo "$row $(printf '%.3f' "$(echo "$total / 12" | bc -l)") |"
  endings+=("$ended")
done <<'CASES'
defaults (HALS, bin 200, smooth auto = 5 kb here, sqrt, rms, λ auto)|
before HALS (projected ALS, smooth 10 kb, λ 1000, 100 iterations)|--solver als --smooth 10000 --lambda 1000 --iterations 100
HALS, smooth 10 kb, λ auto|--smooth 10000
HALS, smooth 5 kb, λ 1000|--lambda 1000
HALS, smooth 5 kb, λ 3000|--lambda 3000
HALS, no smoothing, log1p, λ auto (the fused lasso alone)|--smooth 0 --transform log1p
HALS, defaults, 3 restarts|--restarts 3
CASES
echo
echo "How each fit ended (sweeps, ✓ converged by the residual or max = max iterations, NMF seconds incl. --lambda auto):"
echo
echo "$header"
echo "$rule"
printf '%s\n' "${endings[@]}"
