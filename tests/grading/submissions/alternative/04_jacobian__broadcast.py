"""Correct: the outer product by broadcasting."""

import numpy as np


def softmax_jacobian(x):
    z = np.asarray(x)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    e = np.exp(z - z.max())
    p = e / e.sum()
    return np.diag(p) - p[:, None] * p[None, :]
