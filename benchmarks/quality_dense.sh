#!/usr/bin/env bash
# Dense signal side by side, in one run: the grader's r, wall time and how the fit ended, for
#   - assign2 with its defaults (HALS, --lambda auto),
#   - assign2 as it was before HALS (--solver als --lambda 1000),
#   - the assignment's baseline, --mode tuned,
# on the real Roadmap GM12878 read counts (two regions, k = 5) and on generated dense tracks
# (make_sample_data --dense: 30 fold-enrichment-like tracks, chr10:1-1.5 Mb, k = 5, 10, 15).
# usage: benchmarks/quality_dense.sh [BUILD_DIR] [PEERS_DIR] [DENSE_DIR]   (FUSEDNMF_PEERS=1 deps)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
peers=${2:-../shared/peers}
dense=${3:-../shared/data/gm12878_dense_hg19}
work=${WORK:-out/bench-dense}
py=/usr/bin/python3
mkdir -p "$work"
[[ -d $work/generated/tracks ]] ||
  "$build/examples/make_sample_data" -o "$work/generated" --tracks 30 --chromosomes chr10:11500000,chrX:11500000 --dense -q

run() {  # label command... -> "seconds how" (W in $work/w.npy)
  local label=$1
  shift
  rm -f "$work/w.npy"
  /usr/bin/time -f "%e" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { echo "failed"; return; }
  local how
  how=$(grep -o '[0-9]* iterations ([^,]*, [^,]*' "$work/stderr.txt" | tail -1 | sed 's/ iterations (/ sweeps, /')
  [[ -z $how ]] && how=$(grep -o '([0-9]* it)' "$work/stderr.txt" | tr -d '()')
  echo "$(cat "$work/time.txt") s${how:+, $how}"
}

score() { $py "$peers/evaluate.py" "$work/w.npy" "$@" | cut -d' ' -f1; }

echo "| data | k | assign2 defaults | assign2 --solver als --lambda 1000 | peer tuned |"
echo "|---|---|---|---|---|"
cases=(
  "GM12878 ENr231 (read counts)|$dense/ENr231/tracks|$dense/ENr231/annotation/genes.bw|chr1|151158000|151658000|5"
  "GM12878 ENm011 (read counts)|$dense/ENm011/tracks|$dense/ENm011/annotation/genes.bw|chr11|1743400|2349400|5"
)
for k in 5 10 15; do
  cases+=("generated dense chr10:1–1.5 Mb|$work/generated/tracks|$work/generated/annotation/genes.bw|chr10|1000000|1500000|$k")
done
for c in "${cases[@]}"; do
  IFS='|' read -r label tracks ann chrom start end k <<<"$c"
  row="| $label | $k |"
  for variant in defaults als peer; do
    case $variant in
      defaults) t=$(run x "$build/examples/assign2" -b "$tracks" -c "$chrom" -s "$start" -e "$end" -k "$k" -o "$work/w.npy") ;;
      als) t=$(run x "$build/examples/assign2" -b "$tracks" -c "$chrom" -s "$start" -e "$end" -k "$k" -o "$work/w.npy" --solver als --lambda 1000 --iterations 100) ;;
      peer) t=$(run x $py "$peers/baseline_assign2.py" --mode tuned -b "$tracks" -c "$chrom" -s "$start" -e "$end" -k "$k" -o "$work/w.npy") ;;
    esac
    r=$( [[ -f $work/w.npy ]] && score "$ann" "$chrom" "$start" "$end" || echo "-")
    row+=" r $r, $t |"
  done
  echo "$row"
done
