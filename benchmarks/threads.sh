#!/usr/bin/env bash
# Threads that help and never hurt: each program's standard case at --threads 1 and at the
# default (every core this process may use), on the idle machine and beside a busy neighbour (one
# shell busy loop, as another job holding a core would be). Prints one markdown table; each time
# is the median of REPEATS runs (default 3), each row measured together.
#
# usage: benchmarks/threads.sh [BUILD_DIR] [DATA_DIR] [OLD_BUILD_DIR]
#   DATA_DIR: ../shared/data (GM12878 chr11, binarized calls); the dense and module cases are
#   generated into $WORK (out/threads). OLD_BUILD_DIR, when given, adds its times in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${2:-../shared/data}
old=${3:-}
work=${WORK:-out/threads}
repeats=${REPEATS:-3}
mkdir -p "$work"
[[ -d $work/dense/tracks ]] ||
  "$build/examples/make_sample_data" -o "$work/dense" --tracks 30 --chromosomes chr10:11500000 --dense \
    --interval-bases 5-13 -q
[[ -f $work/counts.tsv ]] ||
  "$build/examples/modules" simulate -o "$work/counts.tsv" --genes 5000 --samples 38 --modules 6 >/dev/null

# The neighbour is found by its marker, so that no busy loop outlives a run (or an interrupted one).
marker=fusednmf-threads-neighbour
stop_neighbour() { pkill -KILL -f "$marker" 2>/dev/null; sleep 0.2; }
trap stop_neighbour EXIT
start_neighbour() { (sh -c "while :; do :; done # $marker" &); sleep 0.5; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > 0 ? a / b : 0)}'; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

time_case() {  # BUILD THREADS CASE -> median seconds
  local b=$1 t=$2 c=$3
  for ((r = 0; r < repeats; ++r)); do
    # A run writes a new W, as a first run would: replacing the previous one would add the time the
    # file system takes to free its blocks (0.2-0.4 s for 600 MB on a disk mounted with `discard`),
    # which is neither thread count's.
    rm -f "$work/w.npy"
    /usr/bin/time -f "%e" -o "$work/time.txt" bash -c "$(case_command "$b" "$c") --threads $t" \
      >/dev/null 2>"$work/stderr.txt" || { echo "failed: $(tail -1 "$work/stderr.txt")" >&2; echo nan; return; }
    cat "$work/time.txt"
  done | median
}

case_command() {  # BUILD CASE -> the command line, without --threads
  local b=$1
  case $2 in
    binarized) echo "$b/examples/assign2 -b $data/gm12878_chr11/tracks -c chr11 -s 1000000 -e 11000000 -k 15 -o $work/w.npy" ;;
    dense) echo "$b/examples/assign2 -b $work/dense/tracks -c chr10 -s 1000000 -e 11000000 -k 10 -o $work/w.npy" ;;
    modules6) echo "$b/examples/modules fit $work/counts.tsv --ranks 6" ;;
    modules2-6) echo "$b/examples/modules fit $work/counts.tsv --ranks 2-6" ;;
  esac
}

label() {
  case $1 in
    binarized) echo "assign2 GM12878 chr11:1-11 Mb (9 binarized tracks), k = 15" ;;
    dense) echo "assign2 30 dense tracks x 10 Mb, k = 10" ;;
    modules6) echo "modules fit 5,000 x 38 table, --ranks 6" ;;
    modules2-6) echo "modules fit 5,000 x 38 table, --ranks 2-6" ;;
  esac
}

echo "| run | build | idle: default / --threads 1 | speed-up | one core busy: default / --threads 1 | speed-up |"
echo "|---|---|---|---|---|---|"
for c in ${CASES:-binarized dense modules6 modules2-6}; do
  for b in "$build" ${old:+"$old"}; do
    stop_neighbour
    idle_default=$(time_case "$b" 0 "$c")
    idle_one=$(time_case "$b" 1 "$c")
    start_neighbour
    busy_default=$(time_case "$b" 0 "$c")
    busy_one=$(time_case "$b" 1 "$c")
    stop_neighbour
    printf '| %s | %s | %s s / %s s | %.2fx | %s s / %s s | %.2fx |\n' "$(label "$c")" "$b" \
      "$idle_default" "$idle_one" "$(ratio "$idle_one" "$idle_default")" \
      "$busy_default" "$busy_one" "$(ratio "$busy_one" "$busy_default")"
  done
done
