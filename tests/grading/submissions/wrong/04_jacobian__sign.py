"""p pT - diag(p): the sign is flipped."""

EXPECT = {"lose": {"softmax_jacobian": "wrong sign"}}

import numpy as np


def softmax_jacobian(x):
    e = np.exp(x - np.max(x))
    p = e / e.sum()
    return np.outer(p, p) - np.diag(p)
