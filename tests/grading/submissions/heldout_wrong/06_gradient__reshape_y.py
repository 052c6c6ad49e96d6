"""Held-out wrong submission: indexes with y.reshape(-1, 1): hits an (N, N) block."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "indexes with y.reshape(-1, 1): hits an (N, N) block",
    "named": [["[:, y]", "column", "arange", "block"]],
    "tags": ["index"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(N), np.asarray(y).reshape(-1, 1)] -= 1
    return p / N
