"""Vectorized, but log(sum(exp(scores))) with no shift: inf loss on large scores."""

EXPECT = {
    "lose": {"linear_softmax_loss": "without subtracting the row maximum"},
    "mistakes": {"linear_softmax_loss": ["lse-no-shift"]},
    "not": ["underflows to 0"],
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    exp_scores = np.exp(scores)
    sums = np.sum(exp_scores, axis=1)
    loss = np.mean(np.log(sums) - scores[np.arange(N), y]) + reg * np.sum(W * W)
    probs = exp_scores / sums[:, np.newaxis]
    probs[np.arange(N), y] -= 1
    dW = X.T.dot(probs) / N + 2 * reg * W
    return loss, dW
