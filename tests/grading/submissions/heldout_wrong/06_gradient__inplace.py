"""Held-out wrong submission: logits -= max modifies the caller's array."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "logits -= max modifies the caller's array",
    "named": [["in place", "change", "modif"]],
    "tags": ["inplace"],
}


def cross_entropy_grad(logits, y):
    N = logits.shape[0]
    logits -= np.max(logits, axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1
    return p / N
