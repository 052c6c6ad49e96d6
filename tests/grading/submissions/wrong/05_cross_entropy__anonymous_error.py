"""Raises ValueError, but the message does not name the function."""

EXPECT = {
    "lose": {"cross_entropy": "does not name the function"},
    "mistakes": {"cross_entropy": []},
}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if y.min() < 0 or y.max() >= logits.shape[1]:
        raise ValueError("label out of range")
    N = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return np.mean(lse - logits[np.arange(N), y])
