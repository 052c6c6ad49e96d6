"""Held-out wrong submission: shifts by the global max."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "shifts by the global max",
    "named": [["global", "each row", "row's"]],
    "tags": ["shift"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z - z.max())
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1
    return p / N
