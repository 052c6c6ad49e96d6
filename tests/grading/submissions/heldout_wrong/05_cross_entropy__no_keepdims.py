"""Held-out wrong submission: max without keepdims: broadcasts along the wrong axis."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "max without keepdims: broadcasts along the wrong axis",
    "named": [["keepdims"]],
    "tags": ["keepdims"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1)
    lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(lp[np.arange(len(y)), y])
