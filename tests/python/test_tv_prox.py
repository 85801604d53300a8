"""fusednmf.tv_prox: the exact optimality certificate, dtypes, in-place use and clear errors."""
import numpy as np
import pytest

import fusednmf


def certificate_violation(y, x, lam, w=None):
    """Largest violation of the weighted fused lasso's optimality conditions (0 when exact):
    with S_j the running sums of w_i (y_i - x_i), |S_j| <= lam, S_j = -lam sign(x_{j+1} - x_j)
    where x jumps, and S_{n-1} = 0."""
    y, x = np.asarray(y, np.float64), np.asarray(x, np.float64)
    w = np.ones_like(y) if w is None else np.asarray(w, np.float64)
    running = np.cumsum(w * (y - x))
    jumps = np.diff(x)
    at_jump = np.abs(jumps) > 1e-9 * max(1.0, np.abs(x).max())
    worst = np.abs(running[-1])
    inner = running[:-1]
    if at_jump.any():
        worst = max(worst, np.abs(inner[at_jump] + lam * np.sign(jumps[at_jump])).max())
    if (~at_jump).any():
        worst = max(worst, (np.abs(inner[~at_jump]) - lam).max())
    return worst


def genomic_like(n, seed):
    rng = np.random.default_rng(seed)
    steps = np.repeat(rng.exponential(size=n // 50 + 1), 50)[:n]
    return steps + rng.normal(scale=0.5, size=n)


@pytest.mark.parametrize("variant", ["condat", "dp"])
@pytest.mark.parametrize("lam", [0.01, 1.0, 30.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_meets_the_optimality_certificate(variant, lam, weighted):
    for seed in range(5):
        y = genomic_like(2000, seed)
        w = np.random.default_rng(seed + 100).uniform(0.5, 3.0, size=y.size) if weighted else None
        x = fusednmf.tv_prox(y, lam, weights=w, variant=variant)
        assert x.dtype == np.float64 and x.shape == y.shape
        assert certificate_violation(y, x, lam, w) <= 1e-8 * np.sqrt(y.size) * max(1.0, lam)


def test_float32_in_float32_out_and_close_to_float64():
    y = genomic_like(5000, 1)
    x64 = fusednmf.tv_prox(y, 2.0)
    x32 = fusednmf.tv_prox(y.astype(np.float32), 2.0)
    assert x32.dtype == np.float32
    assert np.max(np.abs(x32 - x64)) <= 1e-4 * np.abs(x64).max()


def test_other_numbers_are_computed_in_float64():
    x = fusednmf.tv_prox([0, 0, 5, 5, 5, 0], 1.0)
    assert x.dtype == np.float64
    assert certificate_violation([0, 0, 5, 5, 5, 0], x, 1.0) <= 1e-12


def test_in_place_through_out_and_non_contiguous_input():
    y = genomic_like(1001, 2)
    expected = fusednmf.tv_prox(y, 1.5)
    strided = np.repeat(y, 2)[::2]  # equal values, not contiguous
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(fusednmf.tv_prox(strided, 1.5), expected)
    z = y.copy()
    result = fusednmf.tv_prox(z, 1.5, out=z)
    assert result is z
    np.testing.assert_array_equal(z, expected)


def test_non_negative_and_sparse_are_the_compositions():
    y = genomic_like(3000, 3) - 1.0
    tv = fusednmf.tv_prox(y, 4.0)
    np.testing.assert_allclose(fusednmf.tv_prox(y, 4.0, nonnegative=True), np.maximum(tv, 0), atol=1e-12)
    soft = np.sign(tv) * np.maximum(np.abs(tv) - 0.5, 0)
    np.testing.assert_allclose(fusednmf.tv_prox(y, 4.0, mu=0.5), soft, atol=1e-12)


def test_the_variants_agree():
    y = genomic_like(4000, 4)
    np.testing.assert_allclose(fusednmf.tv_prox(y, 3.0, variant="dp"), fusednmf.tv_prox(y, 3.0), atol=1e-9)


@pytest.mark.parametrize("call, message", [
    (lambda: fusednmf.tv_prox(np.ones((3, 3)), 1.0), "must be 1-D"),
    (lambda: fusednmf.tv_prox(np.array([1.0, np.nan]), 1.0), r"y\[1\] = nan is not finite"),
    (lambda: fusednmf.tv_prox(np.array([1.0, np.inf]), 1.0), "is not finite"),
    (lambda: fusednmf.tv_prox(np.ones(3), -1.0), "lambda must be finite and >= 0"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, mu=-1.0), "mu must be finite and >= 0"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, weights=np.ones(2)), "weights has length 2"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, weights=np.array([1.0, 0.0, 1.0])), "is not > 0"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, variant="fast"), "variant must be"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, out=np.ones(3, np.float32)), "out must be"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, out=np.ones(4)), "out must be"),
    (lambda: fusednmf.tv_prox(["a", "b"], 1.0), "not a numeric array"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, threads=-1), "threads must be >= 0"),
    (lambda: (lambda w: fusednmf.tv_prox(np.ones(3), 1.0, weights=w, out=w))(np.ones(3)), "overlaps the weights"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, weights=np.array([1.0, -2.0, 1.0])), r"weights\[1\] = -2.* is not > 0"),
    (lambda: fusednmf.tv_prox(np.ones(3), 1.0, weights=np.array([1.0, 1.0, -0.0])), r"weights\[2\] = -0.* is not > 0"),
    (lambda: fusednmf.tv_prox(np.where(np.arange(60_000) == 50_001, np.inf, 1.0), 1.0), r"y\[50001\] = inf"),
    (lambda: fusednmf.tv_prox(np.where(np.arange(60_000) == 7, np.nan, 1.0).astype(np.float32), 1.0),
     r"y\[7\] = nan is not finite"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_empty_input_gives_empty_output():
    assert fusednmf.tv_prox(np.zeros(0), 1.0).shape == (0,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_long_input_gives_the_same_bits_on_any_thread_count(dtype):
    # From 16,384 elements on, the input is solved as two halves side by side.
    y = genomic_like(50_001, 3).astype(dtype)
    w = np.random.default_rng(4).uniform(0.5, 3.0, size=y.size).astype(dtype)
    one = fusednmf.tv_prox(y, 2.0, weights=w, threads=1)
    assert np.array_equal(fusednmf.tv_prox(y, 2.0, weights=w, threads=2), one)
    assert np.array_equal(fusednmf.tv_prox(y, 2.0, weights=w), one)
    if dtype == np.float64:
        assert certificate_violation(y, one, 2.0, w) < 1e-7
