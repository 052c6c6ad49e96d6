"""Returns P / N: the one-hot targets are never subtracted."""

EXPECT = {
    "lose": {"cross_entropy_grad": "subtract"},
    "mistakes": {"cross_entropy_grad": ["no-targets"]},
}

import numpy as np


def cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)

    return P / N
