"""Shifts by logits.max() over the whole batch."""

EXPECT = {
    "lose": {"cross_entropy": "maximum of the whole batch"},
    "mistakes": {"cross_entropy": ["global-max"]},
}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")
    N = logits.shape[0]
    e = np.exp(logits - logits.max())
    p = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(N), y]))
