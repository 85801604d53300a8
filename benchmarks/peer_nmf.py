#!/usr/bin/python3
"""Seconds per iteration of the peers' NMF on Y of ROWS x 30 with k = 10, the same recipe as
bench_nmf.cpp (runs of 50 rows, 30% non-zero): the assignment baseline's NumPy ALS (nmf_fl, with
and without its numba fused-lasso prox) and scikit-learn's NMF(solver='cd').

usage: peer_nmf.py PATH/TO/baseline_assign2.py [rows] [sklearn_rows]"""
import importlib.util, os, resource, sys, tempfile, time
os.environ.setdefault("NUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="peer-numba-"))
import numpy as np


def load_peer(path):
    spec = importlib.util.spec_from_file_location("peer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def tracks(rows, dtype):
    rng = np.random.default_rng(5)
    segs = rows // 50
    v = np.where(rng.random((segs, 30)) < 0.3, 4 * rng.random((segs, 30)), 0).astype(dtype)
    return np.repeat(v, 50, axis=0)


def per_iteration(fn, iters):
    t0 = time.perf_counter(); fn(1); t1 = time.perf_counter(); fn(1 + iters); t2 = time.perf_counter()
    return ((t2 - t1) - (t1 - t0)) / iters


def main():
    peer = load_peer(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    sk_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 2_000_000
    peer.prox_dp(np.ones(10), 1.0)
    Y = tracks(rows, np.float64)  # the baseline reads into float64
    for lam in (0.0, 1.0):
        s = per_iteration(lambda it: peer.nmf_fl(Y, 10, it, 1.0, lam, "random", 0.0), 2)
        print(f"peer_numpy_als rows={rows} lambda={lam:g} s_per_iter={s:.3f}", flush=True)
    del Y
    from sklearn.decomposition import NMF
    Ys = tracks(sk_rows, np.float32)
    def sk(it):
        NMF(10, solver="cd", init="random", max_iter=it, tol=0, random_state=0).fit(Ys)
    import warnings; warnings.filterwarnings("ignore")
    s = per_iteration(sk, 3)
    print(f"sklearn_cd rows={sk_rows} s_per_iter={s:.3f} scaled_to_{rows}={s * rows / sk_rows:.3f}", flush=True)
    print(f"peak_rss_GB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f}")


if __name__ == "__main__":
    main()
