"""Shifts by the row max, then -log(p) of a probability that underflows to 0."""

EXPECT = {
    "lose": {"linear_softmax_loss": "underflows to 0"},
    "mistakes": {"linear_softmax_loss": ["log-of-softmax"]},
    "not": ["without subtracting"],
}

import numpy as np


def _softmax_rows(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    probs = _softmax_rows(X @ W)
    loss = -np.sum(np.log(probs[range(num_train), y])) / num_train
    loss += reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[range(num_train), y] -= 1
    dW = X.T @ dscores / num_train + 2 * reg * W
    return loss, dW
