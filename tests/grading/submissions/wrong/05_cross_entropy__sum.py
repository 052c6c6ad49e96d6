"""Sums the losses instead of averaging (forgets 1/N)."""

EXPECT = {"lose": {"cross_entropy": "divide by N"}}

import numpy as np


def cross_entropy(logits, y):
    m = logits.max(axis=1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return -np.sum(logp[np.arange(len(y)), y])
