"""Held-out wrong submission: -log(p) after p underflows to 0."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "-log(p) after p underflows to 0",
    "named": [["underflow", "log of", "-log"]],
    "tags": ["logp"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))
