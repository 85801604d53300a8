"""SmoothNMF and PoissonNMF: scikit-learn-style estimators over the C++ fits in fusednmf._core.

Both follow scikit-learn's conventions: parameters are set in __init__ and only stored there,
fit(X, y=None) returns self, fitted attributes end in "_", and fit_transform returns W. Neither
has transform(): SmoothNMF's W is smoothed along the rows it was fitted on, so it has no meaning
for new rows, and PoissonNMF's modules are read from W and H of the table itself.
"""
import warnings

import numpy as np

from . import _core
from ._base import BaseEstimator, ConvergenceWarning
from ._validation import as_matrix, as_sparse_counts, is_sparse, non_negative_float, positive_int, seed_from

DEFAULT_LAM_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def _rank(n_components, Y, owner):
    if n_components is None:
        return min(Y.shape)
    rank = positive_int(n_components, owner, "n_components")
    if rank > Y.shape[0]:
        raise ValueError(f"{owner}: n_components = {rank} exceeds n_samples = {Y.shape[0]} (the rows of the data)")
    return rank


def _warn_unless_converged(owner, status, iterations):
    if status != "converged":
        warnings.warn(f"{owner}: the fit {status} after {iterations} iterations; "
                      "raise max_iter or tol for a settled result", ConvergenceWarning, stacklevel=3)


def _apply_sample_weight(Y, sample_weight, owner):
    """(Y, weights for the C++ fit): rows of weight 0 become missing rows of weight 1."""
    if sample_weight is None:
        return Y, np.empty(0)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (Y.shape[0],):
        raise ValueError(f"{owner}: sample_weight has shape {weights.shape}, expected ({Y.shape[0]},)")
    bad = ~np.isfinite(weights) | (weights < 0) | (weights != np.floor(weights)) | (weights > 2**24)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{owner}: sample_weight[{i}] = {weights[i]} is not a whole number in [0, 2**24]")
    unused = weights == 0
    if unused.any():
        Y = Y.copy()
        Y[unused] = np.nan
        weights = np.where(unused, 1.0, weights)
    return Y, weights


def _observed_error(Y, W, H, weights, rows=65536):
    """||Y - W H||_F over the observed (non-NaN) entries, each row counted as often as its weight,
    in float64, a block of rows at a time."""
    total = 0.0
    for first in range(0, Y.shape[0], rows):
        block = Y[first:first + rows].astype(np.float64) - W[first:first + rows].astype(np.float64) @ H
        squares = np.nansum(block * block, axis=1)
        total += float(squares @ weights[first:first + rows] if weights.size else squares.sum())
    return float(np.sqrt(total))


class SmoothNMF(BaseEstimator):
    """Y ~ W H, W and H >= 0, each column of W smoothed along the rows by the fused lasso.

    Minimises 1/2 ||Y - W H||^2 (observed entries) + ridge + s * sum_j (lam TV(w_j) + mu |w_j|_1)
    by block-coordinate descent (HALS): each column of W is an exact weighted fused-lasso prox,
    each row of H a closed form, so the objective never increases. Rows of H are kept at unit
    RMS and s is the RMS of Y, so lam counts rows: a jump of h (in RMS units) in a factor
    survives when the run it bounds is longer than about 2 lam / h rows.

    Parameters
    ----------
    n_components : int or None
        k, the number of factors (None: min(n_samples, n_features)); may exceed n_features.
    lam : float >= 0 or "cv"
        The fused-lasso weight, in rows. "cv" chooses it from ``lam_grid`` by cross-validation on
        held-out blocks of entries (the one-standard-error rule, as assign2 does by default).
    lam_grid : sequence of float or None
        The candidates for lam="cv" (None: 0.1, 0.3, 1, 3, 10, 30, 100).
    mu : float >= 0
        An L1 weight (sparse factors), in RMS units of Y; not with lam="cv".
    l2 : float >= 0
        Ridge, relative to the Gram matrix's mean diagonal; > 0 keeps k > rank(Y) well posed.
    init : {"nndsvda", "nndsvd", "random", "rsvd", "clipped-svd"}
        "clipped-svd" (assign2's default) starts each factor from a leading right singular
        vector of Y, signed so that its largest loading is positive, negatives clipped: the
        rule of "rsvd", on the exact SVD.
    solver : {"hals", "als"}
        "als" is the assignment's projected alternating least squares (no descent guarantee).
    max_iter : int
        Sweeps per restart.
    tol : float
        HALS stops when the sweep's step, relative to the first sweep's, stays below tol.
    restarts : int
        Fits from different starts; the lowest objective wins.
    random_state : None, int, RandomState or Generator
        None means seed 0: results are reproducible unless asked otherwise.
    threads : int
        0: every core this process may use, when the fit is large enough to gain from them.
    chains : sequence of int or None
        Row offsets where smoothing is cut (chromosomes laid end to end); H is shared.
    time_limit : float
        Seconds the fit may take (0: none); past it the fit stops with status "reached the time limit".

    Attributes
    ----------
    W_ : ndarray (n_samples, n_components), what fit_transform returns.
    components_ : ndarray (n_components, n_features), H.
    lam_ : the fused-lasso weight used (the chosen one with lam="cv").
    cv_curve_ : dict of lambdas, mean_error, standard_error, not_fitted, repeats (lam="cv" only).
        The grid is fitted from its smallest λ up and stops once the held-out error has stayed
        above the one-standard-error bound for 2 λ past its lowest: the larger λ are in
        not_fitted. On at most 1,250 rows the folds are drawn `repeats` times (up to 10, as
        many as bring repeats x rows up to 2,500) and the errors averaged, so that the choice
        does not turn on one draw.
    n_iter_, status_, objective_ (per sweep), residual_ (per sweep), reconstruction_err_
    (Frobenius norm of Y - W H over the observed entries), restart_, n_features_in_.

    NaN entries of Y are missing: they are left out of the objective, so their value changes
    nothing (HALS only). The dtype is kept: float32 input is fitted in float32.
    """

    def __init__(self, n_components=None, *, lam=1.0, lam_grid=None, mu=0.0, l2=1e-3, init="nndsvda",
                 solver="hals", max_iter=1000, tol=1e-3, restarts=1, random_state=None, threads=0,
                 chains=None, time_limit=0.0):
        self.n_components = n_components
        self.lam = lam
        self.lam_grid = lam_grid
        self.mu = mu
        self.l2 = l2
        self.init = init
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.restarts = restarts
        self.random_state = random_state
        self.threads = threads
        self.chains = chains
        self.time_limit = time_limit

    def fit(self, X, y=None, sample_weight=None):
        """Fits W and H to X (n_samples x n_features; NaN: missing). Returns self.

        sample_weight: how many rows each row of X stands for (whole numbers >= 0, at most
        2**24): the run lengths of run-length compressed data, such as
        np.diff(edges) from read_bigwig(..., bin=None). The fit is then exactly the one on the
        expanded rows, and lam counts expanded rows. A row of weight 0 is left out (missing).
        """
        self.fit_transform(X, sample_weight=sample_weight)
        return self

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fits W and H to X and returns W (n_samples x n_components); see fit."""
        owner = type(self).__name__
        Y = as_matrix(X, owner, "X", allow_nan=True)
        rank = _rank(self.n_components, Y, owner)
        Y, weights = _apply_sample_weight(Y, sample_weight, owner)
        if isinstance(self.lam, str):
            if self.lam != "cv":
                raise ValueError(f"{owner}: lam must be a number >= 0 or \"cv\", got {self.lam!r}")
            grid = DEFAULT_LAM_GRID if self.lam_grid is None else self.lam_grid
            grid = [non_negative_float(v, owner, "lam_grid entries") for v in grid]
            if not grid:
                raise ValueError(f"{owner}: lam_grid is empty")
            if self.mu != 0:
                raise ValueError(f"{owner}: lam=\"cv\" chooses the fused lasso alone; set mu=0")
            lam = 0.0
        else:
            lam, grid = non_negative_float(self.lam, owner, "lam"), []
        chains = [] if self.chains is None else [int(c) for c in self.chains]
        fitted = _core.fit_smooth(
            Y, rank, lam, non_negative_float(self.mu, owner, "mu"), non_negative_float(self.l2, owner, "l2"),
            str(self.init), str(self.solver), positive_int(self.max_iter, owner, "max_iter"),
            non_negative_float(self.tol, owner, "tol"), positive_int(self.restarts, owner, "restarts"),
            seed_from(self.random_state, owner), positive_int(self.threads, owner, "threads", minimum=0),
            non_negative_float(self.time_limit, owner, "time_limit"), chains, grid, weights)
        W, H = np.ascontiguousarray(fitted["W"]), np.ascontiguousarray(fitted["H"])
        self.W_, self.components_ = W, H
        self.n_components_ = rank
        self.lam_ = fitted["lam"]
        if grid:
            self.cv_curve_ = {"lambdas": np.asarray(fitted["cv_lambdas"]),
                              "mean_error": np.asarray(fitted["cv_mean_error"]),
                              "standard_error": np.asarray(fitted["cv_standard_error"]),
                              "not_fitted": np.asarray(fitted["cv_not_fitted"], dtype=float),
                              "repeats": int(fitted["cv_repeats"])}
        self.n_iter_ = fitted["iterations"]
        self.status_ = fitted["status"]
        self.objective_ = np.asarray(fitted["objective"])
        self.residual_ = np.asarray(fitted["residual"])
        self.restart_ = fitted["restart"]
        self.n_features_in_ = Y.shape[1]
        self.reconstruction_err_ = _observed_error(Y, W, H, weights)
        _warn_unless_converged(owner, self.status_, self.n_iter_)
        return W

    def _more_tags(self):
        return {"requires_positive_X": True, "allow_nan": True}


class PoissonNMF(BaseEstimator):
    """V ~ Poisson(W H) for count tables (genes x samples), by the multiplicative updates of the
    Kullback-Leibler divergence, which never decrease the log-likelihood, or by cyclic coordinate
    descent.

    NaN entries are missing: left out of the likelihood and of the updates (exactly), so W H
    predicts them from the rest.

    Parameters
    ----------
    n_components : int
        R, the number of modules.
    max_iter : int
    tol : float
        Stops when the log-likelihood's relative change is below tol.
    random_state : None, int, RandomState or Generator
        None means seed 0.
    threads : int
        0: every core this process may use; results do not depend on it.
    solver : {"mu", "ccd"}
        "mu": multiplicative updates. "ccd": coordinate descent with Newton steps, which reaches
        the likelihood of 1,000 multiplicative updates in about 50 sweeps (about 5x sooner), but
        whose exact zeros predict held-out counts less well.

    Attributes
    ----------
    W_ : ndarray (n_samples, n_components), what fit_transform returns.
    components_ : ndarray (n_components, n_features), H.
    log_likelihood_ : the full Poisson log-likelihood (with log V!) of the returned fit, over the
        observed entries.
    log_likelihood_history_ : per iteration.
    kkt_residual_history_ : per iteration, the distance from a stationary point of the
        likelihood, relative to the first iteration's (0 at a stationary point).
    n_iter_, status_, n_features_in_.
    """

    def __init__(self, n_components=4, *, max_iter=2000, tol=1e-7, random_state=None, threads=0, solver="mu"):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.threads = threads
        self.solver = solver

    def fit(self, X, y=None):
        """Fits W and H to the counts X (non-negative; NaN: missing). Returns self."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Fits W and H to X and returns W (n_samples x n_components)."""
        owner = type(self).__name__
        settings = dict(max_iter=positive_int(self.max_iter, owner, "max_iter"),
                        tol=non_negative_float(self.tol, owner, "tol"), seed=seed_from(self.random_state, owner),
                        threads=positive_int(self.threads, owner, "threads", minimum=0), solver=str(self.solver))
        if is_sparse(X):  # kept sparse: the updates touch only the stored entries
            V = as_sparse_counts(X, owner, "X")
            rank = _rank(self.n_components, V, owner)
            fitted = _core.fit_poisson_sparse(V.shape[0], V.shape[1], V.data, V.indices, V.indptr, rank, **settings)
        else:
            V = as_matrix(X, owner, "X", allow_nan=True)
            rank = _rank(self.n_components, V, owner)
            fitted = _core.fit_poisson(V, rank, **settings)
        W, H = np.ascontiguousarray(fitted["W"]), np.ascontiguousarray(fitted["H"])
        self.W_, self.components_ = W, H
        self.n_components_ = rank
        self.log_likelihood_history_ = np.asarray(fitted["log_likelihood"])
        self.log_likelihood_ = float(self.log_likelihood_history_[-1])
        self.kkt_residual_history_ = np.asarray(fitted["kkt_residual"])
        self.n_iter_ = fitted["iterations"]
        self.status_ = fitted["status"]
        self.n_features_in_ = V.shape[1]
        _warn_unless_converged(owner, self.status_, self.n_iter_)
        return W

    def _more_tags(self):
        return {"requires_positive_X": True, "allow_nan": True}
