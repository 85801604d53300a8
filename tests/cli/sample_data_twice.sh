#!/usr/bin/env bash
# make_sample_data draws from the library's seeded generator: the same seed writes the same
# bytes, and another seed other tracks.  usage: sample_data_twice.sh MAKE_SAMPLE_DATA DIR
set -euo pipefail
program=$1 dir=$2
rm -rf "$dir"
for run in a b; do
  "$program" -o "$dir/$run" --tracks 3 --chromosomes chr1:400000 --seed 5 -q
done
"$program" -o "$dir/c" --tracks 3 --chromosomes chr1:400000 --seed 6 -q
diff -r "$dir/a" "$dir/b"
if cmp -s "$dir/a/tracks/00_H3K36me3.bw" "$dir/c/tracks/00_H3K36me3.bw"; then
  echo "seeds 5 and 6 wrote the same track" >&2
  exit 1
fi
echo "same seed, same bytes"
