"""fusednmf.PoissonNMF: the same bytes as the C++ API, a log-likelihood that never decreases,
a planted mean recovered, and clear errors."""
import math
import warnings

import numpy as np
import pytest

import fusednmf


def poisson_table(genes, samples, rank, seed):
    rng = np.random.default_rng(seed)
    W = rng.gamma(0.5, 4.0, size=(genes, rank))
    H = rng.gamma(2.0, 1.0, size=(rank, samples))
    return rng.poisson(W @ H).astype(np.float64), W @ H


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_equals_the_cxx_api_bit_for_bit(reference_fit, dtype):
    V, _ = poisson_table(300, 12, 3, seed=1)
    V = V.astype(dtype)
    W_ref, H_ref = reference_fit("poisson", V, 3, 9)
    model = fusednmf.PoissonNMF(3, random_state=9)
    W = model.fit_transform(V)
    assert W.dtype == dtype
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(model.components_, H_ref)


def test_the_log_likelihood_never_decreases_and_is_the_full_one():
    V, _ = poisson_table(400, 20, 4, seed=2)
    model = fusednmf.PoissonNMF(4, max_iter=300, tol=0, random_state=2)
    with pytest.warns(UserWarning, match="reached max iterations"):
        model.fit(V)
    history = model.log_likelihood_history_
    assert history.size == 300 == model.n_iter_
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[:-1]))
    mean = model.W_ @ model.components_
    lgamma = np.vectorize(math.lgamma)
    full = float(np.sum(np.where(V > 0, V * np.log(mean), 0.0) - mean - lgamma(V + 1)))
    assert abs(model.log_likelihood_ - full) <= 1e-3 * abs(full)
    # The KKT residual: one per iteration, relative to the first, and far below it by the end.
    kkt = model.kkt_residual_history_
    assert kkt.size == 300 and kkt[0] == 1.0
    assert np.all(np.isfinite(kkt)) and kkt[-1] < 0.1


def test_coordinate_descent_reaches_the_multiplicative_updates_likelihood_in_fewer_sweeps():
    V, _ = poisson_table(400, 20, 4, seed=2)
    mu = fusednmf.PoissonNMF(4, max_iter=500, tol=0, random_state=2)
    with pytest.warns(UserWarning, match="reached max iterations"):
        mu.fit(V)
    ccd = fusednmf.PoissonNMF(4, max_iter=100, tol=0, random_state=2, solver="ccd")
    with warnings.catch_warnings():  # it may stop before 100: tol 0 stops when nothing changes
        warnings.simplefilter("ignore", UserWarning)
        ccd.fit(V)
    history = ccd.log_likelihood_history_
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[:-1]))
    assert ccd.log_likelihood_ >= mu.log_likelihood_ - 1e-9 * abs(mu.log_likelihood_)
    with pytest.raises(ValueError, match='solver must be "mu" or "ccd"'):
        fusednmf.PoissonNMF(4, solver="newton").fit(V)


def test_recovers_a_planted_mean():
    V, mean = poisson_table(2000, 30, 3, seed=3)
    model = fusednmf.PoissonNMF(3, random_state=0)
    W = model.fit_transform(V)
    fitted = W @ model.components_
    assert np.corrcoef(fitted.ravel(), mean.ravel())[0, 1] > 0.95


@pytest.mark.parametrize("V, message", [
    (np.array([[1.0, np.inf], [2.0, 3.0]]), "contains infinity"),
    (np.array([[1.0, -2.0], [2.0, 3.0]]), "Negative values in data passed to PoissonNMF"),
    (np.ones((3, 2)), "exceeds n_samples = 3"),
])
def test_bad_input_raises_clear_errors(V, message):
    with pytest.raises(ValueError, match=message):
        fusednmf.PoissonNMF(4).fit(V)


def test_missing_counts_are_left_out_and_predicted(reference_fit):
    V, mean = poisson_table(1500, 30, 3, seed=4)
    rng = np.random.default_rng(4)
    hidden = rng.random(V.shape) < 0.1
    holes = np.where(hidden, np.nan, V)
    model = fusednmf.PoissonNMF(3, random_state=1)
    W = model.fit_transform(holes)
    W_ref, H_ref = reference_fit("poisson", holes, 3, 1)
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(model.components_, H_ref)
    predicted = (W @ model.components_)[hidden]
    assert np.corrcoef(predicted, mean[hidden])[0, 1] > 0.9
    # Read as zeros instead, the same cells are predicted far lower.
    zeros = fusednmf.PoissonNMF(3, random_state=1)
    W0 = zeros.fit_transform(np.where(hidden, 0.0, V))
    assert (W0 @ zeros.components_)[hidden].mean() < 0.9 * predicted.mean()


def test_sparse_counts_stay_sparse_and_fit_as_the_dense_ones():
    sparse = pytest.importorskip("scipy.sparse")
    V, _ = poisson_table(300, 40, 3, seed=5)
    V[V < 8] = 0  # mostly zeros, as single-cell counts are
    assert (V == 0).mean() > 0.5
    dense = fusednmf.PoissonNMF(3, max_iter=80, tol=0, random_state=1)
    with pytest.warns(UserWarning, match="reached max iterations"):
        dense.fit(V)
    for matrix in (sparse.csr_matrix(V), sparse.csc_matrix(V.astype(np.float32)), sparse.coo_matrix(V)):
        model = fusednmf.PoissonNMF(3, max_iter=80, tol=0, random_state=1)
        with pytest.warns(UserWarning, match="reached max iterations"):
            W = model.fit_transform(matrix)
        assert W.dtype == (np.float32 if matrix.dtype == np.float32 else np.float64)
        # The same start and updates as the dense fit: the same likelihoods up to rounding.
        np.testing.assert_allclose(model.log_likelihood_history_, dense.log_likelihood_history_, rtol=1e-6)
        assert model.kkt_residual_history_.size == 80
    bad = sparse.csr_matrix(V)
    bad.data[3] = -1.0
    with pytest.raises(ValueError, match="Negative values"):
        fusednmf.PoissonNMF(3).fit(bad)
    bad.data[3] = np.nan
    with pytest.raises(ValueError, match="no missing cells"):
        fusednmf.PoissonNMF(3).fit(bad)
    with pytest.raises(ValueError, match="coordinate descent needs dense V"):
        fusednmf.PoissonNMF(3, solver="ccd").fit(sparse.csr_matrix(V))
