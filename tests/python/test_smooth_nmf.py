"""fusednmf.SmoothNMF: the same bytes as the C++ API, a monotone objective, masks, λ by
cross-validation, the GIL released, and clear errors."""
import threading

import numpy as np
import pytest

import fusednmf
from conftest import planted


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("lam", [0.0, 5.0])
def test_equals_the_cxx_api_bit_for_bit(reference_fit, dtype, lam):
    Y = planted(400, 7, 3, seed=11, dtype=dtype)
    W_ref, H_ref = reference_fit("smooth", Y, 3, lam, 5)
    model = fusednmf.SmoothNMF(3, lam=lam, random_state=5)
    W = model.fit_transform(Y)
    assert W.dtype == dtype and model.components_.dtype == dtype
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(model.components_, H_ref)


def test_chains_equal_the_cxx_api_bit_for_bit(reference_fit):
    Y = planted(300, 6, 2, seed=12)
    W_ref, H_ref = reference_fit("smooth", Y, 2, 3.0, 1, "100,250")
    model = fusednmf.SmoothNMF(2, lam=3.0, random_state=1, chains=[100, 250])
    np.testing.assert_array_equal(model.fit_transform(Y), W_ref)
    np.testing.assert_array_equal(model.components_, H_ref)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [2, 5, 9])  # 9 > the 6 columns
def test_the_objective_never_increases(seed, k):
    Y = planted(500, 6, 3, seed=seed) + np.random.default_rng(seed).exponential(0.1, size=(500, 6))
    model = fusednmf.SmoothNMF(k, lam=2.0, tol=0, max_iter=60, random_state=seed)
    with pytest.warns(UserWarning, match="reached max iterations"):
        model.fit(Y)
    objective = model.objective_
    assert objective.size == 60 == model.n_iter_
    assert np.all(np.diff(objective) <= 1e-9 * objective[:-1])


def test_fits_a_planted_smooth_product():
    Y = planted(2000, 10, 3, seed=3)
    model = fusednmf.SmoothNMF(3, lam=0.5, tol=1e-6, max_iter=3000)
    W = model.fit_transform(Y)
    assert model.status_ == "converged"
    assert model.reconstruction_err_ <= 0.03 * np.linalg.norm(Y)  # the penalties bias it a little
    np.testing.assert_allclose(model.reconstruction_err_, np.linalg.norm(Y - W @ model.components_), rtol=1e-9)
    assert model.lam_ == 0.5 and model.n_features_in_ == 10 and W.shape == (2000, 3)


def test_missing_entries_are_left_out_not_read_as_zero():
    rng = np.random.default_rng(4)
    Y = planted(1000, 8, 2, seed=4)
    hidden = rng.random(Y.shape) < 0.05
    Y_missing = np.where(hidden, np.nan, Y)
    model = fusednmf.SmoothNMF(2, lam=0.0, tol=1e-7, max_iter=5000)
    W = model.fit_transform(Y_missing)
    predicted = (W @ model.components_)[hidden]
    assert np.abs(predicted - Y[hidden]).max() <= 1e-2 * Y.max()
    zeros = fusednmf.SmoothNMF(2, lam=0.0, tol=1e-7, max_iter=5000).fit_transform(np.where(hidden, 0.0, Y))
    assert np.abs(zeros @ model.components_)[hidden].mean() < np.abs(predicted).mean()  # zeros pull the fit down


def test_lambda_by_cross_validation():
    Y = planted(3000, 8, 3, seed=5) + np.random.default_rng(5).exponential(0.3, size=(3000, 8))
    model = fusednmf.SmoothNMF(3, lam="cv", lam_grid=[0.1, 1, 10, 100])
    model.fit(Y)
    curve = model.cv_curve_
    assert model.lam_ in (0.1, 1, 10, 100)
    # Fitted from the smallest λ up; the rest of the grid only once the error has risen past it.
    assert list(curve["lambdas"]) + list(curve["not_fitted"]) == [0.1, 1, 10, 100]
    assert curve["repeats"] == 1  # 3,000 rows: one partition (more only below 1,250 rows)
    assert len(curve["lambdas"]) == len(curve["mean_error"]) == len(curve["standard_error"])
    best = int(np.argmin(curve["mean_error"]))
    chosen = list(curve["lambdas"]).index(model.lam_)
    assert chosen >= best  # the one-standard-error rule picks the smoothest within reach of the best
    assert curve["mean_error"][chosen] <= curve["mean_error"][best] + curve["standard_error"][best] + 1e-12


@pytest.mark.filterwarnings("ignore::UserWarning")  # it stops at max_iter on purpose
def test_the_gil_is_released_during_a_fit():
    Y = planted(40000, 30, 5, seed=6).astype(np.float32)
    done = threading.Event()
    model = fusednmf.SmoothNMF(10, lam=1.0, tol=0, max_iter=40, threads=1)

    def fit():
        try:
            model.fit(Y)
        except Exception:  # the warning filter of the main thread does not apply here
            pass
        finally:
            done.set()

    worker = threading.Thread(target=fit)
    worker.start()
    steps = 0
    while not done.is_set():
        steps += 1
    worker.join()
    assert model.n_iter_ == 40
    assert steps > 1000  # Python ran beside the fit


@pytest.mark.parametrize("Y, kwargs, error, message", [
    (-np.ones((5, 3)), {}, ValueError, r"Negative values in data passed to SmoothNMF: X\[0, 0\]"),
    (np.full((5, 3), np.inf), {}, ValueError, "contains infinity"),
    (np.ones(5), {}, ValueError, "expected a 2D array"),
    (np.ones((0, 3)), {}, ValueError, r"0 sample\(s\)"),
    (np.ones((5, 3)), {"n_components": 6}, ValueError, "exceeds n_samples = 5"),
    (np.ones((5, 3)), {"n_components": 0}, ValueError, "n_components must be an integer >= 1"),
    (np.ones((5, 3)), {"lam": -1}, ValueError, "lam must be a finite number >= 0"),
    (np.ones((5, 3)), {"lam": "auto"}, ValueError, "lam must be a number >= 0 or \"cv\""),
    (np.ones((5, 3)), {"init": "best"}, ValueError, "init must be"),
    (np.ones((5, 3)), {"solver": "mu"}, ValueError, "solver must be"),
    (np.ones((5, 3)), {"chains": [3, 2]}, ValueError, "chain start 2 is not increasing"),
    (np.ones((5, 3)), {"random_state": -1}, ValueError, "random_state must be"),
    (np.ones((5, 3)), {"threads": -2}, ValueError, "threads must be an integer >= 0"),
    (np.ones((5, 3), dtype=complex), {}, ValueError, "Complex data not supported"),
])
def test_bad_input_raises_clear_errors(Y, kwargs, error, message):
    with pytest.raises(error, match=message):
        fusednmf.SmoothNMF(**{"n_components": 2, **kwargs}).fit(Y)


def test_missing_entries_need_hals():
    Y = planted(50, 4, 2, seed=7)
    Y[3, 1] = np.nan
    with pytest.raises(ValueError, match="need Solver::HALS"):
        fusednmf.SmoothNMF(2, solver="als").fit(Y)


def test_sample_weights_are_the_expanded_rows(reference_fit):
    rng = np.random.default_rng(9)
    Y = planted(200, 5, 2, seed=9)
    weights = rng.integers(1, 6, size=200)
    model = fusednmf.SmoothNMF(2, lam=4.0, random_state=3)
    W = model.fit_transform(Y, sample_weight=weights)
    expanded = fusednmf.SmoothNMF(2, lam=4.0, random_state=3)
    W_expanded = expanded.fit_transform(np.repeat(Y, weights, axis=0))
    # The same problem: equal up to rounding (the sums are formed in a different order).
    np.testing.assert_allclose(np.repeat(W, weights, axis=0), W_expanded, rtol=1e-5, atol=1e-6 * W.max())
    np.testing.assert_allclose(model.reconstruction_err_, expanded.reconstruction_err_, rtol=1e-5)


def test_a_row_of_weight_zero_is_left_out():
    Y = planted(100, 4, 2, seed=10)
    weights = np.ones(100)
    weights[40] = 0
    other = Y.copy()
    other[40] = 1e6  # its values change nothing
    a = fusednmf.SmoothNMF(2, lam=1.0).fit_transform(Y, sample_weight=weights)
    b = fusednmf.SmoothNMF(2, lam=1.0).fit_transform(other, sample_weight=weights)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("weights, message", [
    (np.ones(3), r"sample_weight has shape \(3,\)"),
    (np.full(5, 1.5), r"sample_weight\[0\] = 1.5 is not a whole number"),
    (np.array([1, 1, -1, 1, 1]), r"sample_weight\[2\] = -1.0"),
])
def test_bad_sample_weights(weights, message):
    with pytest.raises(ValueError, match=message):
        fusednmf.SmoothNMF(2).fit(np.ones((5, 3)), sample_weight=weights)
