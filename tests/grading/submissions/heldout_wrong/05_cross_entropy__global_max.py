"""Held-out wrong submission: shifts by the global max, not per row."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "shifts by the global max, not per row",
    "named": [["global", "each row", "row's"]],
    "tags": ["shift"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits, dtype=float)
    z = z - np.max(z)
    lse = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(lse - z[np.arange(len(y)), y])
