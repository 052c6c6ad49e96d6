"""Held-out wrong submission: reg in the loss but not in dW."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "reg in the loss but not in dW",
    "named": [["2*reg*w", "regularization gradient"]],
    "tags": ["reg"],
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
    dW = X.T.dot(dscores) / num_train
    return loss, dW
