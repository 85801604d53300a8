#!/usr/bin/env bash
# A full disk, injected: with a file-size limit (ulimit -f, SIGXFSZ ignored) every write past it
# fails as on a full filesystem. The run must fail with a clear message and leave no output and
# no temporary.  usage: full_disk.sh ASSIGN2 TRACKS DIR
set -uo pipefail
assign2=$1 tracks=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir"
(
  trap '' XFSZ
  ulimit -f 200  # 100 KB; W alone is 1.6 MB
  "$assign2" -b "$tracks" -c chr1 -s 0 -e 200000 -k 2 --lambda 100 --iterations 5 -o "$dir/w.npy" \
    --h-output "$dir/h.npy" --h-tsv "$dir/h.tsv" --bigwig-out "$dir/factors" -q
) 2>"$dir/../full_disk_stderr.txt"
rc=$?
cat "$dir/../full_disk_stderr.txt"
[[ $rc != 0 ]] || { echo "assign2 succeeded on a full disk"; exit 1; }
grep -q "failed (disk full?)" "$dir/../full_disk_stderr.txt" || { echo "no clear message"; exit 1; }
left=$(find "$dir" -type f | wc -l)
[[ $left == 0 ]] || { echo "a failed run left files:"; find "$dir" -type f; exit 1; }
echo "full_disk: a clean error, nothing left behind"
