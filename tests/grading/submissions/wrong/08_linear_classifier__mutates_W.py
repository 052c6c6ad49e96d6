"""dW = W is an alias, not a copy: filling dW overwrites the caller's weights."""

EXPECT = {
    "lose": {"linear_softmax_loss": "modifies its input W in place"},
    "mistakes": {"linear_softmax_loss": []},
    "not": ["adds or removes keys"],
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    s = X @ W
    s = s - s.max(axis=1, keepdims=True)
    lse = np.log(np.exp(s).sum(axis=1))
    loss = np.mean(lse - s[np.arange(N), y]) + reg * np.sum(W * W)
    P = np.exp(s - lse[:, None])
    P[np.arange(N), y] -= 1
    grad = X.T @ P / N + 2 * reg * W
    dW = W
    dW[:] = grad
    return loss, dW
