"""Held-out correct variant."""

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    sum_j = np.sum(np.exp(scores), axis=1)
    correct_class_score = scores[range(num_train), y]
    loss = np.sum(-correct_class_score + np.log(sum_j)) / num_train
    loss += reg * np.sum(W * W)
    dscores = np.exp(scores) / sum_j[:, np.newaxis]
    dscores[range(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train
    dW += 2 * reg * W
    return loss, dW
