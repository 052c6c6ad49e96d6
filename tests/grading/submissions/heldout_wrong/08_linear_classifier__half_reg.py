"""Held-out wrong submission: 0.5 * reg convention."""

import numpy as np

HELDOUT = {
    "function": "linear_softmax_loss",
    "mistake": "0.5 * reg convention",
    "named": [["0.5", "½", "half"]],
    "tags": ["regconv"],
}


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = scores[range(num_train), y] - np.log(np.sum(exp_scores, axis=1))
    loss = -np.mean(correct_logprobs) + 0.5 * reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[range(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + reg * W
    return loss, dW
