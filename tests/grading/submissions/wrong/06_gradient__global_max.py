"""Shifts by the maximum of the whole batch."""

EXPECT = {
    "lose": {"cross_entropy_grad": "maximum of the whole batch"},
    "mistakes": {"cross_entropy_grad": ["global-max"]},
}

import numpy as np


def cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - np.max(logits))
    P = e / e.sum(axis=1, keepdims=True)
    P[np.arange(N), y] -= 1
    return P / N
