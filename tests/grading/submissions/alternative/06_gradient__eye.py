"""Correct: one-hot rows from np.eye, dtype kept."""

import numpy as np


def cross_entropy_grad(logits, y):
    logits = np.asarray(logits)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    Y = np.eye(logits.shape[1], dtype=logits.dtype)[y]
    return (P - Y) / logits.shape[0]
