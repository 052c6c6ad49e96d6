"""Averages the loss, but not its gradient."""

EXPECT = {
    "lose": {"linear_softmax_loss": "dW forgets to divide by N"},
    "mistakes": {"linear_softmax_loss": ["dW-no-mean"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):

    N = X.shape[0]
    s = X.dot(W)
    s -= np.max(s, axis=1, keepdims=True)
    P = np.exp(s) / np.sum(np.exp(s), axis=1, keepdims=True)
    loss = np.mean(np.log(np.sum(np.exp(s), axis=1)) - s[np.arange(N), y]) + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T.dot(P) + 2 * reg * W
