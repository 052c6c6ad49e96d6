"""dW = dscores.T @ X: shape (C, D)."""

EXPECT = {"lose": {"linear_softmax_loss": "transposed"}}

import numpy as np


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    p = _probs(X @ W)
    loss = -np.mean(np.log(p[np.arange(n), y])) + reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    dW = (p / n).T @ X + 2 * reg * W.T
    return loss, dW
