#!/usr/bin/python3
"""Time the assignment's own fused-lasso operator (prox_dp in the peer baseline, numba-compiled)
on the same signal families as bench_prox, so both are measured in one run.

usage: peer_prox.py PATH/TO/baseline_assign2.py [n]      prints: family lambda ns_per_el
"""
import importlib.util, os, sys, tempfile, time

# numba's on-disk cache cannot reload a function whose module was loaded from a path under
# another name: compile into a private cache instead.
os.environ.setdefault("NUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="peer-numba-"))
import numpy as np


def load_peer(path):
    spec = importlib.util.spec_from_file_location("peer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.prox_dp


def family(name, n, seed):  # same recipes as benchmarks/signal_families.hpp
    rng = np.random.default_rng(seed)
    if name == "staircase":
        lens = rng.integers(1, 201, size=n // 50 + 10)
        levels = rng.uniform(-5, 5, size=lens.size)
        return (np.repeat(levels, lens)[:n] + rng.normal(size=n)).astype(np.float64)
    if name == "genomic":
        y = np.zeros(n)
        starts = np.flatnonzero(rng.random(n) < 0.01)
        for s in starts:
            l = rng.integers(5, 301)
            y[s:s + l] = rng.poisson(4.0, size=min(l, n - s))
        return y
    if name == "ramp":
        return 1e-3 * np.arange(n, dtype=np.float64)
    return 1e-3 * np.arange(n, dtype=np.float64) + 0.01 * rng.normal(size=n)


def main():
    prox_dp = load_peer(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    prox_dp(np.ones(10), 1.0)  # compile outside the timing
    for name in ("staircase", "genomic", "ramp", "noisy_ramp"):
        pool = [family(name, n, 1000 + s) for s in range(4)]
        for lam in (0.1, 1.0, 10.0, 100.0):
            best = []
            for rep in range(2):
                t0 = time.perf_counter()
                for y in pool:
                    prox_dp(y, lam)
                best.append((time.perf_counter() - t0) / (len(pool) * n) * 1e9)
            print(f"{name} {lam:g} {min(best):.2f}", flush=True)


if __name__ == "__main__":
    main()
