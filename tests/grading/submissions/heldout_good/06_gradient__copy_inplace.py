"""Held-out correct variant."""

import numpy as np


def cross_entropy_grad(logits, y):
    s = np.array(logits, copy=True)
    if s.dtype.kind != "f":
        s = s.astype(np.float64)
    s -= s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    s[np.arange(len(s)), y] -= 1
    s /= len(s)
    return s
