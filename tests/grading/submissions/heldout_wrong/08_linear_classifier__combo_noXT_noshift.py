"""Held-out wrong submission: no shift and forgot X.T."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "no shift and forgot X.T",
    "named": [["maximum", "overflow"], ["X.T", "transpose", "X^T"]],
    "tags": ["shift", "transpose"],
}


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N + reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(N), y] -= 1
    dW = dscores / N + 2 * reg * W
    return loss, dW
