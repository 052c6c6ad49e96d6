"""Held-out wrong submission: naive loops and no shift."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "naive loops and no shift",
    "named": [["loop", "vectoriz"], ["maximum", "max"]],
    "tags": ["loop", "shift"],
}


try:
    xrange
except NameError:
    xrange = range


def linear_softmax_loss(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    for i in xrange(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        sum_j = np.sum(np.exp(scores))
        loss += -correct_class_score + np.log(sum_j)
        for j in xrange(num_classes):
            p = np.exp(scores[j]) / sum_j
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW
