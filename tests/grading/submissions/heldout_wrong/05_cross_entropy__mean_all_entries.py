"""Held-out wrong submission: one-hot times log-probs then np.mean over N*C entries."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "one-hot times log-probs then np.mean over N*C entries",
    "named": [["factor of c", "number of classes"]],
    "tags": ["mean"],
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
    Y = np.eye(z.shape[1])[y]
    return -np.mean(Y * lp)
