"""Turns integer logits into float32 instead of float64 (float logits are right)."""

EXPECT = {
    "lose": {"cross_entropy_grad": "must become float64"},
}

import numpy as np


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if z.dtype.kind != "f":
        z = z.astype(np.float32)
    y = np.asarray(y)
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    g = e / np.sum(e, axis=1, keepdims=True)
    g[np.arange(z.shape[0]), y] -= 1
    return g / z.shape[0]
