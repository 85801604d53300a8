"""Checks on what users pass in, with messages that name the estimator, the argument and the
offending entry. Arrays come out float32 (if given as float32) or float64, 2-D and non-empty."""
import numbers

import numpy as np


def as_matrix(Y, owner, name="Y", allow_nan=False):
    """Y as a 2-D float32 or float64 array (float32 stays float32; other numbers become float64)."""
    if hasattr(Y, "nnz") and hasattr(Y, "tocsr"):  # scipy.sparse, without importing scipy
        raise TypeError(f"{owner}: sparse input is not supported; pass a dense array ({name}.toarray())")
    Y = np.asarray(Y)
    if Y.dtype.kind == "c":
        raise ValueError(f"{owner}: Complex data not supported ({name} has dtype {Y.dtype})")
    if Y.dtype.kind in "OUSV":  # objects, strings: numbers are accepted, anything else fails here
        Y = Y.astype(np.float64)
    if Y.dtype != np.float32:
        Y = Y.astype(np.float64, copy=False)
    if Y.ndim != 2:
        raise ValueError(f"{owner}: expected a 2D array for {name}, got {Y.ndim}D with shape {Y.shape}; "
                         "reshape a single track with Y.reshape(-1, 1)")
    for axis, what in ((0, "sample(s)"), (1, "feature(s)")):  # scikit-learn's wording
        if Y.shape[axis] == 0:
            raise ValueError(f"{owner}: found {name} with 0 {what} (shape={Y.shape}) while a minimum of 1 is required.")
    _check_entries(Y, owner, name, allow_nan)
    return Y


def is_sparse(Y):
    """Whether Y is a scipy.sparse matrix or array (told without importing scipy)."""
    return hasattr(Y, "nnz") and hasattr(Y, "tocsc")


def as_sparse_counts(X, owner, name="X"):
    """A scipy.sparse X as a CSC matrix of float32 (if given so) or float64 with int32 indices,
    sorted and without repeated entries. Its stored values must be finite and non-negative: a
    sparse matrix has no missing cells (every cell not stored is a 0 count)."""
    X = X.tocsc(copy=True)
    if X.dtype != np.float32:
        X = X.astype(np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{owner}: found {name} with shape {X.shape}; both dimensions must be at least 1")
    X.sum_duplicates()  # also sorts the indices
    if X.nnz >= 2**31:
        raise ValueError(f"{owner}: {name} stores {X.nnz} entries; at most 2**31 - 1 are supported")
    bad = ~np.isfinite(X.data)
    if bad.any():
        e = int(np.argmax(bad))
        c = int(np.searchsorted(X.indptr, e, side="right") - 1)
        raise ValueError(f"{owner}: {name} contains NaN or infinity: {name}[{X.indices[e]}, {c}] = {X.data[e]} "
                         "(a sparse matrix has no missing cells: every cell not stored is a 0 count)")
    negative = X.data < 0
    if negative.any():
        e = int(np.argmax(negative))
        c = int(np.searchsorted(X.indptr, e, side="right") - 1)
        raise ValueError(f"Negative values in data passed to {owner}: {name}[{X.indices[e]}, {c}] = {X.data[e]}")
    X.indices = X.indices.astype(np.int32, copy=False)
    X.indptr = X.indptr.astype(np.int32, copy=False)
    return X


def _check_entries(Y, owner, name, allow_nan):
    bad = np.isinf(Y) if allow_nan else ~np.isfinite(Y)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        what = "infinity" if allow_nan else "NaN or infinity"
        raise ValueError(f"{owner}: {name} contains {what}: {name}[{r}, {c}] = {Y[r, c]}"
                         + ("" if allow_nan else " (missing values are not supported here)"))
    with np.errstate(invalid="ignore"):
        negative = Y < 0
    if negative.any():
        r, c = np.argwhere(negative)[0]
        raise ValueError(f"Negative values in data passed to {owner}: {name}[{r}, {c}] = {Y[r, c]}")


def seed_from(random_state, owner):
    """scikit-learn's random_state as the library's 64-bit seed: None is 0 (fits are reproducible
    by default), an int is itself, a RandomState or Generator draws one."""
    if random_state is None:
        return 0
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0 or random_state >= 2**64:
            raise ValueError(f"{owner}: random_state must be in [0, 2**64), got {random_state}")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    raise ValueError(f"{owner}: random_state must be None, an int, a numpy RandomState or Generator, "
                     f"got {random_state!r}")


def positive_int(value, owner, name, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def non_negative_float(value, owner, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")
    return float(value)
