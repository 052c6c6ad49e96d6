"""Python 2 / old NumPy idiom: np.float (removed in NumPy 1.24)."""

EXPECT = {"lose": {"linear_softmax_loss": "np.float"}, "mistakes": {"linear_softmax_loss": []}}

import numpy as np


def _softmax_rows(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)


def linear_softmax_loss(W, X, y, reg):
    num_train = np.float(X.shape[0])  # noqa: NPY001
    P = _softmax_rows(X.dot(W))
    loss = -np.sum(np.log(P[np.arange(X.shape[0]), y])) / num_train
    P[np.arange(X.shape[0]), y] -= 1
    return loss + reg * np.sum(W * W), X.T.dot(P) / num_train + 2 * reg * W
