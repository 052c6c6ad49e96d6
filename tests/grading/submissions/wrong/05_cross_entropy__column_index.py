"""Indexes p[:, y] instead of p[arange(N), y]."""

EXPECT = {"lose": {"cross_entropy": "np.arange(N)"}}

import numpy as np


def cross_entropy(logits, y):
    m = logits.max(axis=1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return -np.mean(logp[:, y])
