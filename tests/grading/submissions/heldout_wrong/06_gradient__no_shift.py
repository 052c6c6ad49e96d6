"""Held-out wrong submission: no max shift: nan for large logits."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "no max shift: nan for large logits",
    "named": [["maximum", "overflow"]],
    "tags": ["shift"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1
    return p / N
