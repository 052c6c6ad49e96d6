"""Forgets the regularization term in the loss."""

EXPECT = {"lose": {"linear_softmax_loss": "regularization term"}}

import numpy as np


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    p = _probs(X @ W)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    p[np.arange(n), y] -= 1
    dW = X.T @ p / n + 2 * reg * W
    return loss, dW
