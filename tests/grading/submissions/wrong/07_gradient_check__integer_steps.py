"""Perturbs x in its own dtype: an integer x never moves, its steps are truncated (the rest is right)."""

EXPECT = {
    "lose": {"numerical_gradient": "float64 copy"},
    "mistakes": {"numerical_gradient": ["integer-steps"]},
    "keep": ["relative_error"],
}

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x)  # a copy, but of x's own dtype
    grad = np.zeros(point.shape)
    for i in np.ndindex(point.shape):
        old = point[i]
        point[i] = old + h
        up = f(point)
        point[i] = old - h
        down = f(point)
        point[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.maximum(np.abs(a), np.abs(b))
    safe = np.where(denom > 0, denom, 1.0)
    return float(np.max(np.where(denom > 0, np.abs(a - b) / safe, 0.0)))
