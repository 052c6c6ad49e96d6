"""Held-out wrong submission: np.log(np.sum(np.exp(s))) with no shift overflows."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "np.log(np.sum(np.exp(s))) with no shift overflows",
    "named": [["maximum", "overflow"]],
    "tags": ["shift"],
}


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    s = X.dot(W)
    lse = np.log(np.sum(np.exp(s), axis=1))
    loss = np.mean(lse - s[np.arange(N), y]) + reg * np.sum(W * W)
    p = np.exp(s - lse[:, None])
    p[np.arange(N), y] -= 1
    dW = X.T.dot(p) / N + 2 * reg * W
    return loss, dW
