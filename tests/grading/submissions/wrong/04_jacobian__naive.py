"""Softmax without the max shift inside the Jacobian."""

EXPECT = {"lose": {"softmax_jacobian": "subtracting the maximum"}}

import numpy as np


def softmax_jacobian(x):
    p = np.exp(x) / np.sum(np.exp(x))
    return np.diag(p) - np.outer(p, p)
