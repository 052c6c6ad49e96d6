"""-log of a stable softmax: inf when p underflows."""

EXPECT = {"lose": {"cross_entropy": "underflows to 0"}}

import numpy as np


def cross_entropy(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))
