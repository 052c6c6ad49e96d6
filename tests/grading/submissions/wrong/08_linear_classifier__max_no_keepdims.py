"""scores - np.max(scores, axis=1): broadcasting fails (keepdims is missing)."""

EXPECT = {"lose": {"linear_softmax_loss": "keepdims=True"}}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    shifted = scores - np.max(scores, axis=1)
    e = np.exp(shifted)
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(N), y])) + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W
