"""Softmax without the max shift on large scores."""

EXPECT = {"lose": {"linear_softmax_loss": "overflows"}}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    e = np.exp(X @ W)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y])) + reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    return loss, X.T @ p / n + 2 * reg * W
