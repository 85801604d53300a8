#!/usr/bin/env bash
# assign2's outputs are one set: a failure while writing the last of them (a factor track whose
# name is taken by a directory) leaves none of them, and no temporary; a second run writing the
# same -o while the first holds its lock fails at once, naming the lock, and writes nothing.
# usage: output_set.sh ASSIGN2 TRACKS_DIR OUT_DIR
set -euo pipefail
assign2=$1 tracks=$2 out=$3
rm -rf "$out"
mkdir -p "$out/factors/w.factor2.bw"  # the second factor's track cannot be written
args=(-b "$tracks" -c chr1 -s 0 -e 200000 -k 2 --lambda 100 --iterations 5 -o "$out/w.npy")
if "$assign2" "${args[@]}" --h-output "$out/h.npy" --h-tsv "$out/h.tsv" --bigwig-out "$out/factors" \
     2>"$out/stderr.txt"; then
  echo "assign2 succeeded although a factor track could not be written"; exit 1
fi
left=$(find "$out" -type f ! -name stderr.txt | wc -l)
[[ $left == 0 ]] || { echo "a failed run left files:"; find "$out" -type f; exit 1; }

# The lock: held by another process for the whole of the second run.
rmdir "$out/factors/w.factor2.bw"
flock -o "$out/w.npy.lock" sleep 20 >/dev/null 2>&1 &  # -o: flock alone holds it, until killed
holder=$!
sleep 0.5
if "$assign2" "${args[@]}" 2>"$out/stderr.txt"; then
  kill "$holder"; echo "assign2 ran while another run held the lock"; exit 1
fi
kill "$holder"; wait "$holder" 2>/dev/null || true
grep -q "another run is writing" "$out/stderr.txt" || { echo "no message about the lock:"; cat "$out/stderr.txt"; exit 1; }
[[ ! -e $out/w.npy ]] || { echo "the locked-out run wrote w.npy"; exit 1; }
# With the lock free, the same run writes its set and removes the lock.
"$assign2" "${args[@]}" --h-output "$out/h.npy" --bigwig-out "$out/factors" 2>"$out/stderr.txt"
[[ -s $out/w.npy && -s $out/h.npy && -s $out/factors/w.factor1.bw && -s $out/factors/w.factor2.bw ]] ||
  { echo "a successful run lacks outputs"; exit 1; }
[[ ! -e $out/w.npy.lock ]] || { echo "the lock file was left behind"; exit 1; }
[[ -z $(find "$out" -name '*.tmp-*') ]] || { echo "temporaries left behind"; exit 1; }
echo "ok"
