"""The clipped -log(clip(p, 1e-7, 1 - 1e-7)) of the first seed."""

EXPECT = {"lose": {"cross_entropy": "clipped"}}

import numpy as np


def cross_entropy(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(np.log(p[np.arange(len(y)), y]))
