"""Vectorized over the examples, but loops over the classes for dW."""

EXPECT = {
    "lose": {"linear_softmax_loss": "loops over the classes"},
    "mistakes": {"linear_softmax_loss": ["loop"]},
    "min_share": 0.9,
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):

    num_train, num_classes = X.shape[0], W.shape[1]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(scores).sum(axis=1)) - scores[np.arange(num_train), y])
    loss += reg * np.sum(W * W)
    dW = np.zeros_like(W)
    for j in range(num_classes):
        dW[:, j] = X.T.dot(probs[:, j] - (y == j)) / num_train
    return loss, dW + 2 * reg * W
