"""Held-out wrong submission: clips p at 1e-12 before -log: wrong for confident mistakes."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "clips p at 1e-12 before -log: wrong for confident mistakes",
    "named": [["clip", "eps", "underflow", "1e-"]],
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
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0)))
