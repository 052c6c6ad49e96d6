"""Writes J into np.zeros_like(x) rows: integer input gives a truncated integer matrix."""

EXPECT = {
    "lose": {"softmax_jacobian": "must become float64"},
    "mistakes": {"softmax_jacobian": ["integer-output"]},
}

import numpy as np


def softmax_jacobian(x):
    x = np.asarray(x)
    e = np.exp(x - np.max(x))
    p = e / e.sum()
    J = np.zeros_like(x, shape=(x.shape[0], x.shape[0]))
    J[...] = np.diag(p) - np.outer(p, p)
    return J
