"""Row-max shift, but the loss sums Y * log(P) over all classes: 0 * log 0 = nan."""

EXPECT = {
    "lose": {"linear_softmax_loss": "0 * (−inf) = nan"},
    "mistakes": {"linear_softmax_loss": ["zero-log-zero"]},
    "not": ["without subtracting"],
}

import numpy as np


def _softmax_rows(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    P = _softmax_rows(X @ W)
    Y = np.zeros((N, C))
    Y[np.arange(N), y] = 1
    loss = -np.sum(Y * np.log(P)) / N + reg * np.sum(W * W)
    dW = X.T @ (P - Y) / N + 2 * reg * W
    return loss, dW
