#!/usr/bin/env bash
# The λ that --lambda auto chooses on the fifteen tuning sets (GM12878 dense read counts ENr231
# and ENm011 at k = 5, 30 generated dense tracks x 10 Mb at k = 10, twelve binarized GM12878 chr11
# regions at k = 5), with the grader's r, the NMF time and the cross-validation's time.
# usage: benchmarks/lambda_choice.sh [BUILD_DIR] [DATA_DIR] [extra assign2 flags...]
#   -> one line per set: name | chosen λ | max_r | NMF seconds | cross-validation seconds
set -uo pipefail
cd "$(dirname "$0")/.."
b=${1:-build}
S=${2:-../shared/data}
shift $(( $# < 2 ? $# : 2 ))
work=${WORK:-out/threads}
mkdir -p "$work"
[[ -d $work/dense/tracks ]] ||
  "$b/examples/make_sample_data" -o "$work/dense" --tracks 30 --chromosomes chr10:11500000 --dense \
    --interval-bases 5-13 -q
sets=(
 "ENr231|$S/gm12878_dense_hg19/ENr231/tracks|$S/gm12878_dense_hg19/ENr231/annotation/genes.bw|chr1|151158000|151658000|5"
 "ENm011|$S/gm12878_dense_hg19/ENm011/tracks|$S/gm12878_dense_hg19/ENm011/annotation/genes.bw|chr11|1743400|2349400|5"
 "gen10Mb|$work/dense/tracks|$work/dense/annotation/genes.bw|chr10|1000000|11000000|10"
)
for r in 1000000:11000000 1000000:1500000 20000000:30000000 20000000:20500000 45000000:55000000 45000000:45500000 65000000:75000000 65000000:65500000 85000000:95000000 85000000:85500000 110000000:120000000 110000000:110500000; do
  sets+=("chr11:$r|$S/gm12878_chr11/tracks|$S/gm12878_chr11/annotation/Annotation_hg18.Gene.bw|chr11|${r%:*}|${r#*:}|5")
done
for s in "${sets[@]}"; do
  IFS='|' read -r name tracks ann chrom start end k <<<"$s"
  out=$($b/examples/assign2 -b $tracks -c $chrom -s $start -e $end -k $k -o $work/lambda_w.npy --annotation $ann "$@" 2>&1)
  lam=$(echo "$out" | grep -a "<- chosen" | awk '{print $2}')
  r=$(echo "$out" | grep -a -o "max_r [-0-9.]*" | tail -1)
  nmf=$(echo "$out" | grep -a -o "NMF [0-9.]* s")
  cv=$(echo "$out" | grep -a -o "rows ([0-9.]* s)")
  echo "$name | $lam | $r | $nmf | $cv"
done
