"""Held-out wrong submission: X.dot(dscores) instead of X.T.dot(dscores)."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "X.dot(dscores) instead of X.T.dot(dscores)",
    "named": [["X.T", "transpose", "X^T"]],
    "tags": ["transpose"],
}


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = scores[range(num_train), y] - np.log(np.sum(exp_scores, axis=1))
    loss = -np.mean(correct_logprobs) + reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[range(num_train), y] -= 1
    dW = X.dot(dscores) / num_train + 2 * reg * W
    return loss, dW
