"""Reuses the logits array in place."""

EXPECT = {"lose": {"cross_entropy_grad": "in place"}}

import numpy as np


def cross_entropy_grad(logits, y):
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    logits[np.arange(len(y)), y] -= 1
    logits /= len(y)
    return logits
