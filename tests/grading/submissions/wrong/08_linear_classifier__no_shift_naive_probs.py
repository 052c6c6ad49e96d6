"""probs = exp(scores) / sum(exp(scores)) with no shift; -log(probs)."""

EXPECT = {
    "lose": {"linear_softmax_loss": "without subtracting the maximum"},
    "mistakes": {"linear_softmax_loss": ["no-max-shift"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    exp_scores = np.exp(np.dot(X, W))
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[np.arange(N), y])) / N + reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(N), y] -= 1
    dW = np.dot(X.T, dscores) / N + 2 * reg * W
    return loss, dW
