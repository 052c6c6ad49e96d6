"""Only the diagonal of the Jacobian."""

EXPECT = {"lose": {"softmax_jacobian": "off-diagonal"}}

import numpy as np


def softmax_jacobian(x):
    e = np.exp(x - np.max(x))
    p = e / e.sum()
    return np.diag(p)
