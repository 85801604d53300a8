"""The estimators follow scikit-learn's conventions: check_estimator passes, and they clone,
pickle and take part in a pipeline. What does not apply: transform() (see _estimators.py)."""
import pickle

import numpy as np
import pytest

import fusednmf
from conftest import planted

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", [fusednmf.SmoothNMF(), fusednmf.SmoothNMF(3, lam="cv"),
                                       fusednmf.PoissonNMF(2)], ids=repr)
def test_check_estimator(estimator):
    check_estimator(estimator)


def test_clone_get_set_params_and_pickle():
    model = fusednmf.SmoothNMF(3, lam=2.0, random_state=4)
    assert model.get_params()["lam"] == 2.0
    copy = clone(model).set_params(lam=7.0)
    assert copy.lam == 7.0 and model.lam == 2.0
    Y = planted(300, 5, 3, seed=8)
    W = model.fit_transform(Y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.W_, W)
    np.testing.assert_array_equal(restored.components_, model.components_)
    np.testing.assert_array_equal(clone(model).fit_transform(Y), W)  # same seed, same bytes
