"""Held-out wrong submission: p[:, y] -= 1 subtracts from whole columns."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "p[:, y] -= 1 subtracts from whole columns",
    "named": [["[:, y]", "column", "arange"]],
    "tags": ["index"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[:, y] -= 1
    return p / N
