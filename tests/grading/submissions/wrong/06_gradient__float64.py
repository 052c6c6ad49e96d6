"""Builds the one-hot matrix in float64, losing float32."""

EXPECT = {"lose": {"cross_entropy_grad": "float32"}}

import numpy as np


def cross_entropy_grad(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    Y = np.zeros(p.shape)
    Y[np.arange(len(y)), y] = 1.0
    return (p - Y) / len(y)
