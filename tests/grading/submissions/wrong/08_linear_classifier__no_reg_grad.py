"""Regularizes the loss, forgets 2*reg*W in dW."""

EXPECT = {
    "lose": {"linear_softmax_loss": "missing the regularization gradient"},
    "mistakes": {"linear_softmax_loss": ["no-reg-grad"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):

    N = X.shape[0]
    s = X.dot(W)
    s -= np.max(s, axis=1, keepdims=True)
    P = np.exp(s) / np.sum(np.exp(s), axis=1, keepdims=True)
    loss = np.mean(np.log(np.sum(np.exp(s), axis=1)) - s[np.arange(N), y]) + reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T.dot(P) / N
