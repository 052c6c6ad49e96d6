"""-log(p + 1e-8): a small constant added to the probability."""

EXPECT = {
    "lose": {"cross_entropy": "clipped probability"},
    "mistakes": {"cross_entropy": ["plus-eps-1e-08"]},
}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")

    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(N), y] + 1e-8))
