#!/usr/bin/env bash
# --w-order: W in Fortran order (the default, written column by column on --threads threads, zero
# stretches left as holes) is the same array as in C order, and the same bytes on 1 and 2 threads.
# usage: w_order.sh PYTHON ASSIGN2 TRACKS DIR
set -euo pipefail
python=$1 assign2=$2 tracks=$3 dir=$4
rm -rf "$dir" && mkdir -p "$dir"
flags=(-b "$tracks" -c chr1 -s 100000 -e 1100000 -k 3 --lambda 100 -q)
"$assign2" "${flags[@]}" --threads 1 -o "$dir/f1.npy"
"$assign2" "${flags[@]}" --threads 2 -o "$dir/f2.npy"
"$assign2" "${flags[@]}" --threads 2 --w-order C -o "$dir/c.npy"
cmp "$dir/f1.npy" "$dir/f2.npy"
"$python" - "$dir" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
f, c = np.load(d + "/f1.npy"), np.load(d + "/c.npy")
assert f.flags.f_contiguous and not f.flags.c_contiguous and c.flags.c_contiguous, (f.flags, c.flags)
assert f.shape == c.shape == (1000000, 3) and f.dtype == c.dtype == np.float32
assert (f == c).all() and (np.signbit(f) == np.signbit(c)).all()
print("w_order: F and C hold the same", f.shape, "array;", f"{(f == 0).mean():.0%} of it zero")
PY
