#!/usr/bin/env bash
# The same command twice writes the same bytes.  usage: same_bytes_twice.sh DIR PROGRAM ARGS...
# (PROGRAM ARGS... -o DIR/a.npy, then -o DIR/b.npy)
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
"$@" -o "$dir/a.npy"
"$@" -o "$dir/b.npy"
cmp "$dir/a.npy" "$dir/b.npy"
