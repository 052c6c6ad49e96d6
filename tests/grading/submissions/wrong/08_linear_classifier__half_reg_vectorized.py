"""Vectorized and stable, with the 0.5*reg convention (loss and gradient)."""

EXPECT = {
    "lose": {"linear_softmax_loss": "a convention, not an error"},
    "mistakes": {"linear_softmax_loss": ["half-convention"]},
    "min_share": 0.89,
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    lse = np.log(np.exp(scores).sum(axis=1))
    loss = np.mean(lse - scores[np.arange(N), y]) + 0.5 * reg * np.sum(W * W)
    P = np.exp(scores - lse[:, None])
    P[np.arange(N), y] -= 1
    dW = X.T.dot(P) / N + reg * W
    return loss, dW
