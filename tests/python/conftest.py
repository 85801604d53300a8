"""Shared fixtures of the Python module's tests. CTest runs them with PYTHONPATH at the build
tree's package and this environment variable set:
  FUSEDNMF_MAKE_SAMPLE_DATA the sample-data generator (examples/make_sample_data)
Tests that need it are skipped when it is not set."""
import os
import subprocess

import numpy as np
import pytest


def _program(variable):
    path = os.environ.get(variable)
    if not path:
        pytest.skip(f"{variable} is not set (run through ctest)")
    return path


@pytest.fixture
def reference_fit():
    """The C++ API's fit of Y, called directly with its defaults (fusednmf._core._reference_smooth
    and _reference_poisson, python/src/bind_*.cpp); returns its (W, H)."""
    from fusednmf import _core

    def run(kind, Y, *args):
        single = Y.dtype == np.float32
        data = np.asarray(Y, dtype=np.float64)  # exact for float32
        if kind == "poisson":
            rank, seed = args
            return _core._reference_poisson(data, single, rank, seed)
        rank, lam, seed, *chains = args
        starts = [int(c) for c in chains[0].split(",")] if chains else []
        return _core._reference_smooth(data, single, rank, lam, seed, starts)

    return run


@pytest.fixture(scope="session")
def sample_tracks(tmp_path_factory):
    """A folder of generated bigWig tracks (make_sample_data's defaults) and their chromosome."""
    program = _program("FUSEDNMF_MAKE_SAMPLE_DATA")
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([program, "-o", str(out), "--quiet", "--dense", "--tracks", "4", "--chromosomes", "chr1:300000"], check=True)
    files = sorted(str(p) for p in (out / "tracks").glob("*.bw"))
    assert len(files) == 4
    return files


def planted(rows, cols, rank, seed, dtype=np.float64, smooth=True):
    """Non-negative Y = W H with piecewise-constant columns of W (what the fused lasso expects)."""
    rng = np.random.default_rng(seed)
    if smooth:
        W = np.zeros((rows, rank))
        for j in range(rank):
            cuts = np.sort(rng.choice(np.arange(1, rows), size=8, replace=False))
            for a, b in zip(np.r_[0, cuts], np.r_[cuts, rows]):
                W[a:b, j] = rng.exponential()
    else:
        W = rng.exponential(size=(rows, rank))
    H = rng.exponential(size=(rank, cols))
    return (W @ H).astype(dtype)
