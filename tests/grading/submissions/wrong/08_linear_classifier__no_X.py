"""dW = (P - Y) / N: forgets the input X (the first seed's mistake)."""

EXPECT = {"lose": {"linear_softmax_loss": "forgets the input X"}}

import numpy as np


def _probs(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    n = X.shape[0]
    p = _probs(X @ W)
    loss = -np.mean(np.log(p[np.arange(n), y])) + reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    dW = p / n
    return loss, dW
