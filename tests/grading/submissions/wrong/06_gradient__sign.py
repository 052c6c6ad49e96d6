"""(Y - P) / N."""

EXPECT = {"lose": {"cross_entropy_grad": "sign"}}

import numpy as np


def cross_entropy_grad(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    Y = np.zeros_like(p)
    Y[np.arange(len(y)), y] = 1
    return (Y - p) / len(y)
