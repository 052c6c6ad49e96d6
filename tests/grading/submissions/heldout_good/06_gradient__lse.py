"""Held-out correct variant."""

import numpy as np


def cross_entropy_grad(logits, y):
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z * 1.0
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    g = np.exp(z - lse)
    g[np.arange(g.shape[0]), y] -= 1
    return g / g.shape[0]
