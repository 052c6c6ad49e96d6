"""Held-out wrong submission: sum over the batch, never divides by N."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "sum over the batch, never divides by N",
    "named": [["sums", "averag"]],
    "tags": ["mean"],
}


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = scores[range(num_train), y] - np.log(np.sum(exp_scores, axis=1))
    loss = -np.sum(correct_logprobs) + reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[range(num_train), y] -= 1
    dW = X.T.dot(dscores) + 2 * reg * W
    return loss, dW
