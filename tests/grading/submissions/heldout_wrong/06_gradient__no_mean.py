"""Held-out wrong submission: forgot /N."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "forgot /N",
    "named": [["factor of n", "by n", "n times", "once too often"]],
    "tags": ["mean"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1
    return p
