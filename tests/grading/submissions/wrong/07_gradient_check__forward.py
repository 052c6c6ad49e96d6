"""Forward differences."""

EXPECT = {"lose": {"numerical_gradient": "forward differences"}, "keep": ["relative_error"]}

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        g[i] = (f(x) - f0) / h
        x[i] = old
    return g


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(d > 0, np.abs(a - b) / np.where(d > 0, d, 1), 0.0)))
