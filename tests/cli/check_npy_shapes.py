"""Each argument is FILE.npy=ROWSxCOLS: the file loads with NumPy, has that shape, and holds
finite values >= 0. Exits non-zero naming the first file that does not."""
import sys

import numpy as np

for spec in sys.argv[1:]:
    path, shape = spec.rsplit("=", 1)
    expected = tuple(int(x) for x in shape.split("x"))
    a = np.load(path)
    assert a.shape == expected, f"{path}: shape {a.shape}, expected {expected}"
    assert np.isfinite(a).all() and (a >= 0).all(), f"{path}: a value is negative or not finite"
    if path.endswith("w.npy"):
        assert a.dtype == np.float32, f"{path}: dtype {a.dtype}, expected float32"
