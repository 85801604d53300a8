#!/usr/bin/env bash
# -c all --skip-empty: chromosomes where no file has data get no W file; the others do.
# usage: skip_empty.sh ASSIGN2 TRACKS DIR
set -euo pipefail
assign2=$1 tracks=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir"
"$assign2" -b "$tracks" -c all -k 3 --lambda 100 --skip-empty -o "$dir/w.npy" 2>&1 | tee "$dir/log.txt"
grep -q "left out (--skip-empty)" "$dir/log.txt"
[[ -f $dir/w.chr1.npy && -f $dir/w.chr2.npy ]]
[[ ! -e $dir/w.chrX.npy && ! -e $dir/w.chrY.npy && ! -e $dir/w.chrM.npy ]]
echo "skip_empty: W files for chr1 and chr2 only"
