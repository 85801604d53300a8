#!/usr/bin/env bash
# assign2's outputs are one set: a failure while writing the last of them (a factor track whose
# name is taken by a directory) leaves none of them, and no temporary; a run writing the same -o
# as another waits for the other's lock before putting its set into place.
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

# The lock: another process holds it; the run waits, and puts its set into place only after
# the holder let go (the holder's last act is to create DONE).
rmdir "$out/factors/w.factor2.bw"
flock -o "$out/w.npy.lock" sh -c "touch '$out/held'; sleep 1; touch '$out/done'" >/dev/null 2>&1 &
holder=$!
until [[ -e $out/held ]]; do sleep 0.05; done
"$assign2" "${args[@]}" 2>"$out/stderr.txt" || { echo "assign2 failed while waiting for the lock:"; cat "$out/stderr.txt"; exit 1; }
[[ -e $out/done ]] || { echo "assign2 wrote its set while another process held the lock"; exit 1; }
wait "$holder"
rm -f "$out/held" "$out/done" "$out/w.npy"
# With the lock free, the same run writes its set and removes the lock.
"$assign2" "${args[@]}" --h-output "$out/h.npy" --bigwig-out "$out/factors" 2>"$out/stderr.txt"
[[ -s $out/w.npy && -s $out/h.npy && -s $out/factors/w.factor1.bw && -s $out/factors/w.factor2.bw ]] ||
  { echo "a successful run lacks outputs"; exit 1; }
[[ ! -e $out/w.npy.lock ]] || { echo "the lock file was left behind"; exit 1; }
[[ -z $(find "$out" -name '*.tmp-*') ]] || { echo "temporaries left behind"; exit 1; }
echo "ok"
