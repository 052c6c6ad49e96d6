"""reg * W in the gradient, and no max shift."""

EXPECT = {
    "lose": {"linear_softmax_loss": "2*reg*W"},
    "mistakes": {"linear_softmax_loss": ["no-max-shift", "reg-W"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):

    N = X.shape[0]
    e = np.exp(X @ W)
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(N), y])) + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + reg * W
