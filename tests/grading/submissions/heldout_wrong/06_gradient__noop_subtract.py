"""Held-out wrong submission: p[range(N), y] - 1 without assignment (a no-op)."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "p[range(N), y] - 1 without assignment (a no-op)",
    "named": [["true class", "one-hot", "targets"]],
    "tags": ["target"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[range(N), y] - 1
    return p / N
