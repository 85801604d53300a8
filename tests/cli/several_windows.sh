#!/usr/bin/env bash
# Regression: with several --smooth windows, H has a column per track and window; naming them
# (progress lines, --h-tsv, --plot) once read past the file list and crashed.
# usage: several_windows.sh ASSIGN2 TRACKS_DIR OUT_DIR
set -euo pipefail
assign2=$1 tracks=$2 out=$3
mkdir -p "$out"
"$assign2" -b "$tracks" -c chr1 -s 0 -e 400000 -k 3 --smooth 0,2000 --lambda 100 --iterations 20 \
  -o "$out/w.npy" --h-tsv "$out/h.tsv" --plot "$out/plot.svg" 2>"$out/stderr.txt"
files=$(find "$tracks" -name '*.bw' | wc -l)
header=$(head -1 "$out/h.tsv")
columns=$(awk -F'\t' 'NR == 1 { print NF - 1 }' "$out/h.tsv")
[[ $columns == $((2 * files)) ]] || { echo "h.tsv has $columns columns, want $((2 * files))"; exit 1; }
[[ $header == *"@0"* && $header == *"@2000"* ]] || { echo "h.tsv header lacks the windows: $header"; exit 1; }
grep -q "top tracks .*\.bw@" "$out/stderr.txt" || { echo "the factor lines do not name the windows"; exit 1; }
[[ -s $out/plot.svg ]] || { echo "no plot"; exit 1; }
echo "ok: $columns columns"
