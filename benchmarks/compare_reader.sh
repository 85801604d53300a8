#!/usr/bin/env bash
# Reading dense bigWig tracks, side by side in one run on the same files:
#   - pyBigWig's values() over every file, one thread (what a Python user writes),
#   - bench_read: read_binned into 200 bp bins (1 and 2 threads), the old read_region path, and
#     inflate alone over the same blocks with zlib, libdeflate and ISA-L (the limit),
#   - assign2 end to end (k = 10): its read time, total time and peak memory.
# Data: make_sample_data --dense, 30 tracks on chr10 with intervals of 5-13 bases (9 on average,
# like base-resolution coverage), read over chr10:1-11 Mb; then, if they exist (see
# benchmarks/README.md), a whole 249 Mb chromosome of 30 tracks and a 3.1 Gb genome of 4 tracks.
# usage: benchmarks/compare_reader.sh [BUILD_DIR]   (needs FUSEDNMF_PEERS=1 scripts/install-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${WORK:-out/bench-read}
py=/usr/bin/python3
mkdir -p "$work"
[[ -d $work/short/tracks ]] ||
  "$build/examples/make_sample_data" -o "$work/short" --tracks 30 --chromosomes chr10:11500000 --dense \
    --interval-bases 5-13 -q

echo "## pyBigWig values(), 30 files x chr10:1-11 Mb, one thread (best of 3)"
$py - "$work/short/tracks" <<'EOF'
import glob, sys, time
import pyBigWig
files = sorted(glob.glob(sys.argv[1] + "/*.bw"))
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    for f in files:
        b = pyBigWig.open(f)
        v = b.values("chr10", 1000000, 11000000, numpy=True)
        b.close()
    best = min(best, time.perf_counter() - t)
n = 0
for f in files:
    b = pyBigWig.open(f)
    n += len(b.intervals("chr10", 1000000, 11000000))
    b.close()
print(f"pyBigWig values(): {best:.3f} s for {len(files)} files, {n} intervals ({n / len(files) / 1e4:.0f} per 10 kb per file)")
EOF

echo "## bench_read, same files and region"
"$build/benchmarks/bench_read" "$work/short/tracks" chr10 1000000 11000000 --benchmark_min_time=1 2>&1 |
  grep -E "^BM_|^---|^Benchmark"

measure() {  # label assign2-arguments... -> read s, total s, peak RSS
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$build/examples/assign2" "$@" -o "$work/w.npy" 2>"$work/stderr.txt" >/dev/null
  local read total rss
  read=$(grep -o 'read [0-9.]* s, NMF' "$work/stderr.txt" | grep -o '[0-9.]*' | head -1)
  total=$(cut -d' ' -f1 "$work/time.txt")
  rss=$(awk '{printf "%.0f", $2 / 1024}' "$work/time.txt")
  rm -f "$work"/w*.npy  # W per base: gigabytes
  echo "| $label | $read s | $total s | $rss MB |"
}
echo "## assign2"
echo "| run | read | total | peak RSS |"
echo "|---|---|---|---|"
measure "30 tracks x 10 Mb, k 10, defaults" -b "$work/short/tracks" -c chr10 -s 1000000 -e 11000000 -k 10
measure "30 tracks x 10 Mb, k 10, --lambda 10 --tolerance 1e-3" -b "$work/short/tracks" -c chr10 -s 1000000 -e 11000000 -k 10 --lambda 10 --tolerance 1e-3
if [[ -d $work/chrom/tracks ]]; then
  echo "## bench_read, chr1 whole (30 tracks)" >&2
  "$build/benchmarks/bench_read" "$work/chrom/tracks" chr1 0 -1 --benchmark_filter='ReadBinned|Inflate' 2>&1 | grep -E "^BM_" >&2
  # W is written per base (the CLI's contract): k 2 keeps that file at 2 GB.
  measure "30 tracks x chr1 (249 Mb), k 2, --lambda 10 --iterations 1" -b "$work/chrom/tracks" -c chr1 -k 2 --lambda 10 --iterations 1
fi
if [[ -d $work/genome/tracks ]]; then
  measure "4 tracks x 3.1 Gb (-c all), k 1, --lambda 10 --iterations 1" -b "$work/genome/tracks" -c all -k 1 --lambda 10 --iterations 1
fi
