"""Held-out correct variant."""

import numpy as np


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    z = z - np.max(z, axis=1, keepdims=True)
    p = np.exp(z)
    p /= np.sum(p, axis=1, keepdims=True)
    Y = np.eye(z.shape[1], dtype=z.dtype)[y]
    return (p - Y) / z.shape[0]
