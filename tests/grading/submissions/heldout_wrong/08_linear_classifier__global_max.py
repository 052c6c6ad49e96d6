"""Held-out wrong submission: subtracts scores.max() (global)."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "subtracts scores.max() (global)",
    "named": [["global", "each row", "row's"]],
    "tags": ["shift"],
}


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max()
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N + reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(N), y] -= 1
    dW = X.T.dot(dscores) / N + 2 * reg * W
    return loss, dW
