"""Held-out wrong submission: forgot to subtract 1 at the true class."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "forgot to subtract 1 at the true class",
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
    return p / N
