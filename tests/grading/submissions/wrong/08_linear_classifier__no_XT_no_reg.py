"""dW = (P - Y) / N: the gradient of the scores, not of W (forgets X.T)."""

EXPECT = {
    "lose": {"linear_softmax_loss": "forgets the input X"},
    "mistakes": {"linear_softmax_loss": ["no-X-no-reg"]},
    "not": ["keepdims"],
}

import numpy as np


def _softmax_rows(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    shifted = scores - scores.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(N), y])
    loss = loss + reg * np.sum(W**2)
    P = _softmax_rows(scores)
    P[np.arange(N), y] -= 1
    return loss, P / N
