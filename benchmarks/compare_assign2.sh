#!/usr/bin/env bash
# assign2 side by side with the assignment's baseline (both modes), in one run: wall time, peak
# memory and the grader's r. Two data sets:
#   generated: 30 tracks from make_sample_data at the assignment's three evaluation runs;
#   gm12878:   the real ChromHMM GM12878 chr11 marks (if DATA is given), k = 5, two regions.
# Peer runs are cut at the assignment's 10-minute limit (reported as "> 600"). PEERS=0 times
# only assign2 (to re-time it on a quiet machine after a full run).
# usage: benchmarks/compare_assign2.sh [BUILD_DIR] [PEERS_DIR] [GM12878_DIR]   (FUSEDNMF_PEERS=1 deps)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
peers=${2:-../shared/peers}
gm=${3:-../shared/data/gm12878_chr11}
work=${WORK:-out/bench}
limit=${PEER_LIMIT:-600}
mkdir -p "$work"
py=/usr/bin/python3

measure() {  # label timeout command... -> prints "label seconds peak_MB"
  local label=$1 cap=$2
  shift 2
  local t0 t1 rc
  /usr/bin/time -f "%e %M" -o "$work/time.txt" timeout "$cap" "$@" >/dev/null 2>"$work/stderr.txt"
  rc=$?
  if [[ $rc -eq 124 ]]; then
    echo "$label > $cap -"
  elif [[ $rc -ne 0 ]]; then
    echo "$label failed($rc) -"
    tail -3 "$work/stderr.txt" >&2
  else
    read -r secs kb <"$work/time.txt"
    echo "$label $secs $((kb / 1024))"
  fi
}

score() {  # W.npy annotation chrom start end -> r or -
  [[ -f $1 ]] && $py "$peers/evaluate.py" "$@" | cut -d' ' -f1 || echo "-"
}

run_case() {  # name dir annotation chrom start end k
  local name=$1 dir=$2 ann=$3 chrom=$4 s=$5 e=$6 k=$7
  local who_list="ours tuned scaffold"
  [[ ${PEERS:-1} == 0 ]] && who_list=ours
  for who in $who_list; do
    local out="$work/$name.$who.npy"
    rm -f "$out"
    if [[ $who == ours ]]; then
      m=$(measure ours 600 "$build/examples/assign2" -b "$dir" -c "$chrom" -s "$s" -e "$e" -k "$k" -o "$out" -q)
    else
      m=$(measure "$who" "$limit" $py "$peers/baseline_assign2.py" --mode "$who" -b "$dir" -c "$chrom" -s "$s" -e "$e" -k "$k" -o "$out")
    fi
    echo "$name $chrom:$s-$e k=$k $m r=$(score "$out" "$ann" "$chrom" "$s" "$e")"
  done
}

echo "# generated data: 30 tracks, chr10 and chrX of 12 Mb each"
if [[ ! -f $work/gen/annotation/genes.bw ]]; then
  "$build/examples/make_sample_data" -o "$work/gen" --tracks 30 --chromosomes chr10:12000000,chrX:12000000 --quiet
fi
g=$work/gen
# The peer's numba operator is compiled once into a private cache, outside the timings.
export NUMBA_CACHE_DIR=$(mktemp -d)
[[ ${PEERS:-1} == 0 ]] || $py "$peers/baseline_assign2.py" -b "$g/tracks" -c chr10 -s 0 -e 1000 -k 2 -o "$work/warmup.npy" 2>/dev/null
run_case gen_short "$g/tracks" "$g/annotation/genes.bw" chr10 1000000 1500000 15
run_case gen_long "$g/tracks" "$g/annotation/genes.bw" chr10 1000000 11000000 10
run_case gen_X "$g/tracks" "$g/annotation/genes.bw" chrX 1000000 11000000 5
if [[ -d $gm ]]; then
  echo "# GM12878 chr11 (ChromHMM binarized marks), k = 5"
  a=$gm/annotation/Annotation_hg18.Gene.bw
  run_case gm_short "$gm/tracks" "$a" chr11 1000000 1500000 5
  run_case gm_long "$gm/tracks" "$a" chr11 1000000 11000000 5
fi
