"""dW /= num_train + reg * W: divides by (N + reg*W), operator precedence."""

EXPECT = {
    "lose": {"linear_softmax_loss": "operator precedence"},
    "mistakes": {"linear_softmax_loss": ["precedence"]},
}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    sums = exp_scores.sum(axis=1, keepdims=True)
    loss = np.sum(np.log(sums[:, 0]) - scores[np.arange(num_train), y]) / num_train
    loss += reg * np.sum(W * W)
    dscores = exp_scores / sums
    dscores[np.arange(num_train), y] -= 1
    dW = X.T.dot(dscores)
    dW /= num_train + reg * W
    return loss, dW
