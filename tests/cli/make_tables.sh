#!/usr/bin/env bash
# Fixture for the modules CLI tests: a simulated count table with its truth, and bad tables.
# usage: make_tables.sh MODULES_PROGRAM DIR
set -euo pipefail
modules=$1 dir=$2
rm -rf "$dir"
mkdir -p "$dir/errors"
"$modules" simulate -o "$dir/counts.tsv" --truth "$dir/truth.tsv" --seed 2
printf 'gene\ts1\ts2\ts3\ng1\t1\t2\t3\ng2\t4\t5\n' >"$dir/ragged.tsv"
printf 'gene\ts1\ts2\ng1\t1\t2\ng2\t4\tfive\n' >"$dir/word.tsv"
printf 'gene,s1,s2\ng1,1,-2\n' >"$dir/negative.csv"
printf 'gene\ts1\ts2\ng1\t0\t0\ng2\t0\t0\n' >"$dir/zeros.tsv"
printf 'gene\ts1\ts2\ng1\t1\t1e308\n' >"$dir/huge.tsv"
: >"$dir/empty.tsv"
printf 'gene\tmodule\tsecond_module\nNOT_A_GENE\t1\t-\n' >"$dir/bad_truth.tsv"
# The simulated table with about 6 % of its cells missing (NA or empty), for --missing mask.
awk -F'\t' -v OFS='\t' 'NR > 1 { for (i = 2; i <= NF; ++i) if ((NR * 31 + i * 7) % 17 == 0) $i = (i % 2 ? "NA" : "") } { print }' \
  "$dir/counts.tsv" >"$dir/holes.tsv"
# The simulated table as sparse counts: a 10x folder (matrix.mtx.gz: genes x samples, features
# and barcodes lists) and a bare Matrix Market file, and a malformed one (an entry past the size).
mkdir -p "$dir/tenx"
awk -F'\t' 'NR == 1 { samples = NF - 1; next }
            { ++genes; for (i = 2; i <= NF; ++i) if ($i != 0) { ++stored; entries = entries genes " " (i - 1) " " $i "\n" } }
            END { printf "%%%%MatrixMarket matrix coordinate integer general\n%% from counts.tsv\n%d %d %d\n%s",
                         genes, samples, stored, entries }' "$dir/counts.tsv" >"$dir/counts.mtx"
gzip -c "$dir/counts.mtx" >"$dir/tenx/matrix.mtx.gz"
awk -F'\t' 'NR > 1 { print $1 "\t" $1 "\tGene Expression" }' "$dir/counts.tsv" | gzip -c >"$dir/tenx/features.tsv.gz"
head -1 "$dir/counts.tsv" | tr '\t' '\n' | tail -n +2 >"$dir/tenx/barcodes.tsv"
printf '%%%%MatrixMarket matrix coordinate integer general\n2 2 1\n3 1 5\n' >"$dir/bad.mtx"
