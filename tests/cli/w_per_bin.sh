#!/usr/bin/env bash
# --w-resolution bin: W has a row per segment and OUT.bins.npy its [start, end); expanded by those
# edges it is the per-base W of the same run, byte for byte.
# usage: w_per_bin.sh PYTHON ASSIGN2 TRACKS DIR
set -euo pipefail
python=$1 assign2=$2 tracks=$3 dir=$4
rm -rf "$dir" && mkdir -p "$dir"
flags=(-b "$tracks" -c chr1 -s 100000 -e 1100000 -k 3 --lambda 100 -q)
"$assign2" "${flags[@]}" -o "$dir/base.npy"
"$assign2" "${flags[@]}" --w-resolution bin -o "$dir/bin.npy"
"$python" - "$dir" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
base, per_bin, edges = np.load(d + "/base.npy"), np.load(d + "/bin.npy"), np.load(d + "/bin.bins.npy")
assert edges.dtype == np.int64 and edges.shape == (per_bin.shape[0], 2), (edges.dtype, edges.shape, per_bin.shape)
assert edges[0, 0] == 100000 and edges[-1, 1] == 1100000 and (edges[1:, 0] == edges[:-1, 1]).all()
assert per_bin.shape[0] < base.shape[0] // 100, per_bin.shape
expanded = np.repeat(per_bin, edges[:, 1] - edges[:, 0], axis=0)
assert expanded.shape == base.shape and (expanded == base).all()
print("w_per_bin:", per_bin.shape[0], "rows for", base.shape[0], "bases, equal once expanded")
PY
