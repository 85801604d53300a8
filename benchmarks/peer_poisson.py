#!/usr/bin/python3
"""Seconds per iteration of scikit-learn's KL NMF, NMF(solver='mu', beta_loss='kullback-leibler'),
on a count table (the same file bench_poisson_nmf reads through FUSEDNMF_COUNTS), rank 10, in
float64 and float32. Per-iteration time = (time of 1 + n iterations - time of 1) / n.

With --target-iterations N: also the seconds of N iterations in float32 (the time to the common
target of bench_poisson_nmf's BM_time_to_target, which is the log-likelihood N = 1,000
multiplicative updates reach).

usage: peer_poisson.py COUNTS.tsv [iterations] [--target-iterations N]"""
import sys, time, warnings
import numpy as np
from sklearn.decomposition import NMF

warnings.filterwarnings("ignore")


def main():
    args = sys.argv[1:]
    target_iterations = None
    if "--target-iterations" in args:
        at = args.index("--target-iterations")
        target_iterations = int(args[at + 1])
        del args[at:at + 2]
    V = np.loadtxt(args[0], delimiter="\t", skiprows=1, usecols=None, dtype=str)[:, 1:].astype(np.float64)
    iters = int(args[1]) if len(args) > 1 else 20
    for dtype in (np.float64, np.float32):
        X = V.astype(dtype)
        def fit(n):
            NMF(10, solver="mu", beta_loss="kullback-leibler", init="random", max_iter=n, tol=0,
                random_state=0).fit(X)
        t0 = time.perf_counter(); fit(1); t1 = time.perf_counter(); fit(1 + iters); t2 = time.perf_counter()
        s = ((t2 - t1) - (t1 - t0)) / iters
        print(f"sklearn_mu_kl rows={X.shape[0]} cols={X.shape[1]} dtype={np.dtype(dtype).name} ms_per_iter={1000 * s:.2f}", flush=True)
        if target_iterations and dtype == np.float32:
            t0 = time.perf_counter(); fit(target_iterations); t1 = time.perf_counter()
            print(f"sklearn_mu_kl dtype=float32 iterations={target_iterations} seconds={t1 - t0:.3f}", flush=True)


if __name__ == "__main__":
    main()
