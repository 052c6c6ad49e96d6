"""Held-out wrong submission: log_probs[:, y] picks an (N, N) block."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "log_probs[:, y] picks an (N, N) block",
    "named": [["[:, y]", "arange", "block", "column"]],
    "tags": ["index"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(lp[:, y])
