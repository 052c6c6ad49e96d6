"""p @ p.T of a 1-D p is a number."""

EXPECT = {"lose": {"softmax_jacobian": "np.outer"}}

import numpy as np


def softmax_jacobian(x):
    e = np.exp(x - np.max(x))
    p = e / e.sum()
    return np.diag(p) - p @ p.T
