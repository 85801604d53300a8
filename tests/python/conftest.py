"""Shared fixtures of the Python module's tests. CTest runs them with PYTHONPATH at the build
tree's package and these environment variables set:
  FUSEDNMF_REFERENCE_FIT    the C++ reference program (tests/python/reference_fit.cpp)
  FUSEDNMF_MAKE_SAMPLE_DATA the sample-data generator (examples/make_sample_data)
Tests that need one of them are skipped when it is not set."""
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
def reference_fit(tmp_path):
    """Runs the C++ reference fit on Y; returns its (W, H)."""
    program = _program("FUSEDNMF_REFERENCE_FIT")

    def run(kind, Y, *args):
        np.save(tmp_path / "Y.npy", Y)
        dtype = "float32" if Y.dtype == np.float32 else "float64"
        subprocess.run([program, kind, dtype, str(tmp_path / "Y.npy"), str(tmp_path), *map(str, args)], check=True)
        return np.load(tmp_path / "W.npy"), np.load(tmp_path / "H.npy")

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
