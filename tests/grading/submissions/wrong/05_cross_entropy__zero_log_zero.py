"""Stable softmax, then -sum(Y * log P): 0 * log 0 = nan."""

EXPECT = {
    "lose": {"cross_entropy": "0 * (−inf) = nan"},
    "mistakes": {"cross_entropy": ["zero-log-zero"]},
    "not": ["without subtracting"],
}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")
    N, C = logits.shape
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    Y = np.eye(C)[y]
    return -np.sum(Y * np.log(P)) / N
