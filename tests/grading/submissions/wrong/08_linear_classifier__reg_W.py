"""reg * W instead of 2 * reg * W in dW."""

EXPECT = {"lose": {"linear_softmax_loss": "2*reg*W"}}

import numpy as np


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    p = _probs(X @ W)
    loss = -np.mean(np.log(p[np.arange(n), y])) + reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    dW = X.T @ p / n + reg * W
    return loss, dW
