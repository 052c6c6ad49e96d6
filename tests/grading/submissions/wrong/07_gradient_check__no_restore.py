"""Perturbs x in place and never restores it."""

EXPECT = {"lose": {"numerical_gradient": "restore"}, "keep": ["relative_error"]}

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    g = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        g[i] = (fp - fm) / (2 * h)
        it.iternext()
    return g


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(d > 0, np.abs(a - b) / np.where(d > 0, d, 1), 0.0)))
