#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed number of mutations, starting from its seed corpus.
#   run_fuzzer.sh TARGET CORPUS WORK RUNS
# New inputs go to WORK (emptied first), never into the corpus in the source tree; a crash is
# written to WORK/crash-* and fails the test: copy it into CORPUS as a regression case once fixed.
# -seed fixes the mutations, so a run is repeatable on one machine.
set -euo pipefail
target=$1 corpus=$2 work=$3 runs=$4
rm -rf "$work"
mkdir -p "$work/new"
"$target" -runs="$runs" -seed=1 -max_len=65536 -timeout=30 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" "$work/new" "$corpus" 2>"$work/log" || {
  tail -40 "$work/log" >&2
  exit 1
}
tail -2 "$work/log"
