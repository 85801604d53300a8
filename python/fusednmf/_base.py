"""The estimators' base: scikit-learn's BaseEstimator when scikit-learn is installed (so they
clone, pipeline and print like any other), else a small stand-in with the same get_params /
set_params contract. fusednmf itself never needs scikit-learn."""
import inspect

try:
    from sklearn.base import BaseEstimator
except ImportError:  # pragma: no cover - exercised only without scikit-learn

    class BaseEstimator:
        @classmethod
        def _get_param_names(cls):
            signature = inspect.signature(cls.__init__)
            return sorted(p.name for p in signature.parameters.values()
                          if p.name != "self" and p.kind != p.VAR_KEYWORD)

        def get_params(self, deep=True):
            return {name: getattr(self, name) for name in self._get_param_names()}

        def set_params(self, **params):
            valid = self._get_param_names()
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                                     f"Valid parameters are: {valid}")
                setattr(self, name, value)
            return self

        def __repr__(self):
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
            return f"{type(self).__name__}({args})"

try:
    from sklearn.exceptions import ConvergenceWarning
except ImportError:  # pragma: no cover

    class ConvergenceWarning(UserWarning):
        """A fit stopped before its tolerance was met."""
