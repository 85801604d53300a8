#!/usr/bin/env bash
# --exclude: the run reports the excluded bases, and W still covers every base with finite values.
# usage: exclude_region.sh PYTHON ASSIGN2 SAMPLE BED DIR
set -euo pipefail
python=$1 assign2=$2 sample=$3 bed=$4 dir=$5
mkdir -p "$dir"
"$assign2" -b "$sample/tracks" -c chr1 -s 100000 -e 1100000 -k 4 --exclude "$bed" -o "$dir/excluded.npy" \
  --annotation "$sample/annotation/genes.bw" 2>&1
"$python" "$(dirname "$0")/check_npy_shapes.py" "$dir/excluded.npy=1000000x4"
