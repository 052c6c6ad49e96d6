"""Subtracts the global scores.max() instead of each row's maximum."""

EXPECT = {
    "lose": {"linear_softmax_loss": "maximum of the whole batch"},
    "mistakes": {"linear_softmax_loss": ["global-max"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max()
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(num_train), y])) + reg * np.sum(W * W)
    probs[np.arange(num_train), y] -= 1
    dW = X.T.dot(probs) / num_train + 2 * reg * W
    return loss, dW
