"""P[:, y] -= 1 instead of P[arange(N), y] -= 1."""

EXPECT = {"lose": {"cross_entropy_grad": "P[np.arange(N), y]"}}

import numpy as np


def cross_entropy_grad(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[:, y] -= 1
    return p / logits.shape[0]
