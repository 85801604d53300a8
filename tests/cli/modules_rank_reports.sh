#!/usr/bin/env bash
# `modules rank` with every report: the criteria of each rank as TSV and SVG, the chosen rank's
# consensus heat map, and one per rank in a folder (modules_rank_reports_parse.py reads them).
# usage: modules_rank_reports.sh MODULES_PROGRAM OUT_DIR COUNTS.tsv
set -euo pipefail
modules=$1 out=$2 counts=$3
mkdir -p "$out"
"$modules" rank "$counts" --ranks 3-5 --restarts 2 --iterations 300 --quiet \
  --rank-table "$out/ranks.tsv" --rank-plot "$out/ranks.svg" --consensus-dir "$out/consensus" \
  --consensus-plot "$out/chosen.svg" >"$out/report.txt"
cat "$out/report.txt"
# The report states the rule with its margin (--cv-standard-errors, 2 by default).
grep -q "rule (--rank-by cv): the smallest rank whose held-out deviance is within 2 standard errors of the lowest" \
  "$out/report.txt" || { echo "the report does not state the rule's margin" >&2; exit 1; }
