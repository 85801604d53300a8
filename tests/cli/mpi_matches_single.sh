#!/usr/bin/env bash
# assign2 under mpirun gives the W and H of the single-process run (already in DIR as w.chr1.npy,
# w.chr2.npy and h.npy) with the same flags.
# usage: mpi_matches_single.sh PYTHON SAMPLE DIR MPIRUN... (the last word: assign2_mpi)
set -euo pipefail
python=$1 sample=$2 dir=$3
shift 3
"$@" -b "$sample/tracks" -c chr1,chr2 -k 3 --lambda 1000 -o "$dir/m.npy" --h-output "$dir/mh.npy" \
  --annotation "$sample/annotation/genes.bw"
"$python" "$(dirname "$0")/compare_npy.py" 1e-4 "$dir/w.chr1.npy" "$dir/m.chr1.npy" \
  "$dir/w.chr2.npy" "$dir/m.chr2.npy" "$dir/h.npy" "$dir/mh.npy"
