"""Held-out wrong submission: no ValueError for a bad label."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "no ValueError for a bad label",
    "named": [["ValueError", "out of range"]],
    "tags": ["label"],
}


def cross_entropy(logits, y):
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(lp[np.arange(len(y)), y])
