"""Adds np.sum(W * W) to the loss without the factor reg."""

EXPECT = {
    "lose": {"linear_softmax_loss": "without the factor reg"},
    "mistakes": {"linear_softmax_loss": ["reg-factor-missing"]},
}

import numpy as np


def _softmax_rows(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    P = _softmax_rows(X @ W)
    loss = -np.mean(np.log(np.maximum(P[np.arange(N), y], 1e-300)))
    shifted = X @ W - np.max(X @ W, axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(N), y])
    loss += np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W
