"""Loop over examples taking -log of the softmax probability."""

EXPECT = {
    "lose": {"cross_entropy": "loops over the examples"},
    "mistakes": {"cross_entropy": ["log-of-softmax", "loop"]},
}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")

    total = 0.0
    for i in range(logits.shape[0]):
        row = logits[i] - np.max(logits[i])
        p = np.exp(row) / np.sum(np.exp(row))
        total -= np.log(p[y[i]])
    return total / logits.shape[0]
