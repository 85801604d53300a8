"""fusednmf: non-negative matrix factorization of genomic signal, from the same C++ headers.

- ``tv_prox``: the exact fused-lasso (1-D total variation) proximal operator.
- ``SmoothNMF``: Y ~ W H with each column of W smoothed along the rows (the genome) by the
  fused lasso; scikit-learn's estimator conventions; NaN entries are missing, not zero.
- ``PoissonNMF``: V ~ Poisson(W H) for count tables (gene modules).
- ``read_bigwig``: many bigWig files over one region into a matrix (when built with libBigWig).
"""
from ._core import __version__, has_bigwig, tv_prox
from ._estimators import PoissonNMF, SmoothNMF

__all__ = ["PoissonNMF", "SmoothNMF", "__version__", "has_bigwig", "read_bigwig", "tv_prox"]

if has_bigwig:
    from ._reader import read_bigwig
else:  # pragma: no cover - a build without libBigWig

    def read_bigwig(*args, **kwargs):
        raise ImportError("fusednmf was built without libBigWig (Debian: libbigwig-dev); read_bigwig is unavailable")
