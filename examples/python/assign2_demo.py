#!/usr/bin/env python3
"""assign2's demo in Python: read bigWig tracks over a region, factor them with the fused lasso
(λ by cross-validation), write W per base as .npy and score it against the gene annotation.

    scripts/demo.sh                       # makes out/sample (tracks and annotation)
    PYTHONPATH=build/python python3 examples/python/assign2_demo.py out/sample chr1 100000 2900000

(With the module installed, no PYTHONPATH is needed.)
"""
import glob
import os
import sys

import numpy as np

import fusednmf

sample, chrom, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tracks = sorted(glob.glob(os.path.join(sample, "tracks", "*.bw")))

# Run-length segments: rows where no track changes, each weighted by its length in bases, so the
# fit equals the one on every base and λ counts bases.
Y, edges = fusednmf.read_bigwig(tracks, chrom, start, end, bin=None)
lengths = np.diff(edges)
Y /= np.sqrt(np.average(Y**2, axis=0, weights=lengths))  # each track at unit RMS, as assign2 --scale rms
model = fusednmf.SmoothNMF(5, lam="cv", lam_grid=[10, 30, 100, 300, 1000, 3000, 10000])
W = np.repeat(model.fit_transform(Y, sample_weight=lengths), lengths, axis=0)  # a row per base
np.save("w_python.npy", W)
print(f"{len(tracks)} tracks, {Y.shape[0]} segments over {chrom}:{start}-{end}; λ = {model.lam_:g}, "
      f"{model.n_iter_} sweeps, {model.status_}")

genes, _ = fusednmf.read_bigwig([os.path.join(sample, "annotation", "genes.bw")], chrom, start, end, bin=1)
r = [np.corrcoef(W[:, j], genes[:, 0])[0, 1] for j in range(W.shape[1]) if W[:, j].std() > 0]
print(f"W ({W.shape[0]} x {W.shape[1]}) in w_python.npy; max_r = {max(r):.4f} (the grader's measure)")
