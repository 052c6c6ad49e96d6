"""Held-out wrong submission: divides W2's gradient by N a second time."""

import numpy as np

HELDOUT = {
    "function": "two_layer_loss",
    "mistake": "divides W2's gradient by N a second time",
    "named": [["factor of n", "by n", "n times", "once too often"]],
    "tags": ["mean"],
}


def two_layer_loss(params, X, y=None, reg=0.0):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    N = X.shape[0]
    hidden = np.maximum(0, X.dot(W1) + b1)
    scores = hidden.dot(W2) + b2
    if y is None:
        return scores
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = scores[np.arange(N), y] - np.log(np.sum(exp_scores, axis=1))
    loss = -np.mean(correct_logprobs) + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {}
    grads["W2"] = hidden.T.dot(dscores) / N + 2 * reg * W2
    grads["b2"] = np.sum(dscores, axis=0)
    dhidden = dscores.dot(W2.T)
    dhidden[hidden <= 0] = 0
    grads["W1"] = X.T.dot(dhidden) + 2 * reg * W1
    grads["b1"] = np.sum(dhidden, axis=0)
    return loss, grads
