"""Indexes the rows with np.arange(C): an IndexError, not a keepdims problem."""

EXPECT = {
    "lose": {"linear_softmax_loss": "np.arange(N)"},
    "mistakes": {"linear_softmax_loss": []},
    "not": ["keepdims"],
}

import numpy as np


def _softmax_rows(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    P = _softmax_rows(X @ W)
    loss = -np.mean(np.log(P[np.arange(C), y])) + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W
