"""Y - P instead of P - Y."""

EXPECT = {
    "lose": {"cross_entropy_grad": "sign flipped"},
    "mistakes": {"cross_entropy_grad": ["sign"]},
}

import numpy as np


def cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)

    Y = np.zeros_like(P)
    Y[np.arange(N), y] = 1
    return (Y - P) / N
