"""Sums over the batch instead of averaging."""

EXPECT = {"lose": {"linear_softmax_loss": "divide"}}

import numpy as np


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    p = _probs(X @ W)
    loss = -np.sum(np.log(p[np.arange(n), y])) + reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    dW = X.T @ p + 2 * reg * W
    return loss, dW
