"""0.5*reg in the loss but 2*reg*W in the gradient."""

EXPECT = {
    "lose": {"linear_softmax_loss": "0.5*reg"},
    "mistakes": {"linear_softmax_loss": ["half-convention"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):

    N = X.shape[0]
    s = X @ W
    s = s - s.max(axis=1, keepdims=True)
    lse = np.log(np.exp(s).sum(axis=1))
    loss = np.mean(lse - s[np.arange(N), y]) + 0.5 * reg * np.sum(W * W)
    P = np.exp(s - lse[:, None])
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * reg * W
