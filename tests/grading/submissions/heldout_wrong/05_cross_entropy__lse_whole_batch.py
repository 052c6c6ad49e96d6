"""Held-out wrong submission: log-sum-exp over the whole batch (no axis=1)."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "log-sum-exp over the whole batch (no axis=1)",
    "named": [["axis"]],
    "tags": ["keepdims"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(z)))
    return np.mean(lse - z[np.arange(len(y)), y])
