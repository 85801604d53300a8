#!/usr/bin/env bash
# The grader's r (max Pearson r of a column of W with the gene annotation) of assign2 over six
# regions of GM12878 chr11, 10 Mb and 500 kb each, k = 5: the tuning region (1 Mb) and five
# held-out ones, for the defaults and for ablations. Shows the defaults are not tuned to one region.
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
while IFS='|' read -r label args; do
  row="| $label |"
  total=0
  for s in "${starts[@]}"; do
    for len in 10000000 500000; do
      # shellcheck disable=SC2086
      r=$("$build/examples/assign2" -b "$gm/tracks" -c chr11 -s "$s" -e $((s + len)) -k 5 -o "$out/w.npy" \
            -q --annotation "$ann" $args 2>/dev/null | cut -d' ' -f2)
      row+=" $r |"
      total=$(echo "$total + $r" | bc -l)
    done
  done
  echo "$row $(printf '%.3f' "$(echo "$total / 12" | bc -l)") |"
done <<'CASES'
defaults (bin 200, smooth auto, sqrt, rms, λ 1000)|
smooth 10 kb, sqrt, λ 1000|--smooth 10000
no smoothing, log1p, λ 1000 (the fused lasso alone)|--smooth 0 --transform log1p
smooth 10 kb, log1p, λ 100|--smooth 10000 --transform log1p --lambda 100
smooth 10 kb, sqrt, λ 100|--smooth 10000 --lambda 100
smooth 10 kb, sqrt, λ 3000|--smooth 10000 --lambda 3000
smooth 20 kb, sqrt, λ 1000|--smooth 20000
CASES
