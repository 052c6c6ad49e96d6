"""Held-out wrong submission: float32 input gives float64 output (np.asarray(..., dtype=float))."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "float32 input gives float64 output (np.asarray(..., dtype=float))",
    "named": [["float32", "dtype"]],
    "tags": ["dtype"],
}


def cross_entropy_grad(logits, y):
    z = np.asarray(logits, dtype=float)
    N = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1
    return p / N
