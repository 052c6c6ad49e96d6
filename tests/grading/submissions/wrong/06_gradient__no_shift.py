"""exp(logits) with no shift."""

EXPECT = {
    "lose": {"cross_entropy_grad": "without subtracting"},
    "mistakes": {"cross_entropy_grad": ["no-max-shift"]},
}

import numpy as np


def cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits)
    P = e / e.sum(axis=1, keepdims=True)
    P[np.arange(N), y] -= 1
    return P / N
