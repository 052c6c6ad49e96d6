"""The 0.5 * reg * sum(W**2) convention."""

EXPECT = {"lose": {"linear_softmax_loss": "0.5*reg"}}

import numpy as np


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    p = _probs(X @ W)
    loss = -np.mean(np.log(p[np.arange(n), y])) + 0.5 * reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    return loss, X.T @ p / n + reg * W
