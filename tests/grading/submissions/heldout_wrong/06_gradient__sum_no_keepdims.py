"""Held-out wrong submission: e / e.sum(axis=1) without keepdims."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "e / e.sum(axis=1) without keepdims",
    "named": [["keepdims"]],
    "tags": ["keepdims"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1)
    p[np.arange(N), y] -= 1
    return p / N
