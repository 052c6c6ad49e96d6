"""Returns the gradient transposed, shape (C, N)."""

EXPECT = {"lose": {"cross_entropy_grad": "transposed"}}

import numpy as np


def cross_entropy_grad(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return (p / len(y)).T
