#!/usr/bin/python3
"""The Python module against what its users would otherwise call, side by side in one run:

1. fusednmf.tv_prox against the assignment's numba prox (prox_dp in the peer baseline) on 10^6
   elements, and the cost of crossing into C++ (a call on a 1-element array);
2. fusednmf.SmoothNMF(lam=0) against scikit-learn's NMF(solver="cd") on the same float32 array:
   scikit-learn runs to its tolerance (1e-4); ours runs the sweeps it needs to reach a relative
   error no larger than scikit-learn's final one, and that run is timed.

usage: PYTHONPATH=build/python benchmarks/python_vs_peers.py [PEER_BASELINE] [ROWS] [--skip-fit]
(needs FUSEDNMF_PEERS=1 scripts/install-deps.sh)
"""
import importlib.util
import os
import sys
import tempfile
import time
import warnings

os.environ.setdefault("NUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="peer-numba-"))
import numpy as np

import fusednmf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_prox import family, load_peer  # noqa: E402  (same signal recipes as bench_prox)


def best_of(repeats, call):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return min(times)


def prox_table(peer_path):
    prox_dp = load_peer(peer_path)
    prox_dp(np.ones(10), 1.0)  # compile outside the timing
    tiny = np.ones(1)
    tiny_out = np.empty(1)
    crossing = best_of(5, lambda: [fusednmf.tv_prox(tiny, 1.0, out=tiny_out) for _ in range(10000)]) / 10000
    print(f"crossing into C++: {crossing * 1e6:.2f} µs per call (tv_prox on 1 element)")
    print("| family | λ | n | fusednmf.tv_prox (ms) | peer numba prox_dp (ms) | peer / ours | crossing share |")
    print("|---|---|---|---|---|---|---|")
    n = 1_000_000
    for name in ("staircase", "genomic"):
        y = family(name, n, 1000)
        out = np.empty_like(y)
        for lam in (1.0, 10.0):
            ours = best_of(7, lambda: fusednmf.tv_prox(y, lam, out=out))
            peer = best_of(5, lambda: prox_dp(y, lam))
            print(f"| {name} | {lam:g} | 1e6 | {ours * 1e3:.2f} | {peer * 1e3:.2f} | {peer / ours:.1f}x | "
                  f"{crossing / ours:.2%} |", flush=True)


def planted_matrix(rows, cols, rank, seed):
    rng = np.random.default_rng(seed)
    W = rng.exponential(size=(rows, rank)).astype(np.float32)
    H = rng.exponential(size=(rank, cols)).astype(np.float32)
    Y = W @ H
    Y += rng.exponential(0.5, size=Y.shape).astype(np.float32)
    return Y


def relative_error(Y, W, H, block=250_000):
    total = 0.0
    for a in range(0, Y.shape[0], block):
        r = Y[a:a + block].astype(np.float64) - W[a:a + block].astype(np.float64) @ H.astype(np.float64)
        total += float(np.sum(r * r))
    return np.sqrt(total) / np.linalg.norm(Y.astype(np.float64))


def fit_table(rows):
    from sklearn.decomposition import NMF

    Y = planted_matrix(rows, 30, 10, seed=1)
    print(f"\nY: {rows} x 30 float32, k = 10, {os.cpu_count()} cores; scikit-learn NMF(solver='cd', "
          "init='nndsvda', tol=1e-4), ours SmoothNMF(lam=0, l2=0, init='nndsvda')")
    sk = NMF(n_components=10, solver="cd", init="nndsvda", tol=1e-4, max_iter=1000, random_state=0)
    t0 = time.perf_counter()
    W = sk.fit_transform(Y)
    t_sk = time.perf_counter() - t0
    e_sk = relative_error(Y, W, sk.components_)
    print("| fit | time (s) | iterations | relative error | scikit-learn / ours |")
    print("|---|---|---|---|---|")
    print(f"| scikit-learn cd | {t_sk:.2f} | {sk.n_iter_} | {e_sk:.6f} | |", flush=True)
    # Ours: the sweeps it needs to reach scikit-learn's error, read off one untimed run's
    # objective (1/2 ||Y - WH||^2 with l2 = lam = 0), then a timed run of exactly that many.
    probe = fusednmf.SmoothNMF(10, lam=0.0, l2=0.0, init="nndsvda", tol=0.0, max_iter=sk.n_iter_ * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe.fit(Y)
    norm = np.linalg.norm(Y.astype(np.float64))
    reached = np.flatnonzero(np.sqrt(2 * probe.objective_) / norm <= e_sk)
    sweeps = int(reached[0]) + 1 if reached.size else probe.n_iter_
    while True:
        ours = fusednmf.SmoothNMF(10, lam=0.0, l2=0.0, init="nndsvda", tol=0.0, max_iter=sweeps)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            W = ours.fit_transform(Y)
        t = time.perf_counter() - t0
        e = relative_error(Y, W, ours.components_)
        print(f"| fusednmf, {sweeps} sweeps | {t:.2f} | {ours.n_iter_} | {e:.6f} | {t_sk / t:.1f}x |", flush=True)
        if e <= e_sk or sweeps >= probe.n_iter_:
            break
        sweeps += 1
    ours = fusednmf.SmoothNMF(10, lam=0.0, l2=0.0, init="nndsvda")  # the default tolerance, for reference
    t0 = time.perf_counter()
    W = ours.fit_transform(Y)
    t = time.perf_counter() - t0
    e = relative_error(Y, W, ours.components_)
    print(f"| fusednmf, default tol 1e-3 ({ours.status_}) | {t:.2f} | {ours.n_iter_} | {e:.6f} | {t_sk / t:.1f}x |")

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    prox_table(args[0] if args else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "peers",
                                                 "baseline_assign2.py"))
    if "--skip-fit" not in sys.argv:
        fit_table(int(args[1]) if len(args) > 1 else 2_000_000)
