#!/usr/bin/env bash
# `cmake --install BUILD --component python` into a scratch prefix, then the installed package
# (not the build tree's) must import and work.
# usage: install.sh BUILD_DIR WORK_DIR SITE_DIR(relative to the prefix) PYTHON
set -euo pipefail
build=$1 work=$2 site=$3 python=$4
rm -rf "$work"
cmake --install "$build" --component python --prefix "$work" >/dev/null
cd "$work"  # nowhere near the build tree
PYTHONPATH="$work/$site" "$python" - "$work/$site" <<'PY'
import sys
import numpy as np
import fusednmf
assert fusednmf.__file__.startswith(sys.argv[1]), fusednmf.__file__
x = fusednmf.tv_prox(np.array([0.0, 0.0, 4.0, 4.0]), 1.0)
assert np.allclose(x, [0.5, 0.5, 3.5, 3.5]), x
print("installed fusednmf", fusednmf.__version__, "imports from", fusednmf.__file__)
PY
