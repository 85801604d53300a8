#!/usr/bin/env bash
# Fixture for the CLI tests: generated sample data, and folders of bad input.
# usage: make_inputs.sh MAKE_SAMPLE_DATA SAMPLE_DIR BAD_DIR OUT_DIR
set -euo pipefail
gen=$1 sample=$2 bad=$3 out=$4
rm -rf "$sample" "$bad" "$out"
"$gen" -o "$sample" --quiet
mkdir -p "$bad/empty" "$bad/not_bigwig" "$bad/truncated" "$out/look"
echo "this is not a bigWig file" >"$bad/not_bigwig/not_a_bigwig.bw"
cp "$sample"/tracks/0[0-2]_*.bw "$bad/truncated/"
head -c 100000 "$sample/tracks/03_H3K4me1.bw" >"$bad/truncated/truncated.bw"
# Chromosome headers that disagree: chr2 missing from one file, chr1 of another length.
"$gen" -o "$bad/other" --tracks 2 --chromosomes chr1:2000000,chr5:1000000 --quiet
mkdir -p "$bad/mixed_headers" "$out/multi"
cp "$sample"/tracks/00_*.bw "$bad/mixed_headers/"
cp "$bad/other/tracks/01_H3K4me3.bw" "$bad/mixed_headers/"
# A data block overwritten with zeros (a disk or transfer error): the read must fail, naming it.
mkdir -p "$bad/corrupt_block"
cp "$sample"/tracks/00_*.bw "$bad/corrupt_block/"
cp "$sample/tracks/03_H3K4me1.bw" "$bad/corrupt_block/corrupt.bw"
size=$(stat -c %s "$bad/corrupt_block/corrupt.bw")
dd if=/dev/zero of="$bad/corrupt_block/corrupt.bw" bs=1 seek=$((size / 4)) count=64 conv=notrunc status=none
