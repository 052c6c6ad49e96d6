"""Correct: CS231n's TwoLayerNet.loss written as a function."""

import numpy as np


def two_layer_loss(params, X, y=None, reg=0.0):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    N, D = X.shape
    hidden_layer = np.maximum(0, np.dot(X, W1) + b1)
    scores = np.dot(hidden_layer, W2) + b2
    if y is None:
        return scores
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    data_loss = -np.sum(log_probs[np.arange(N), y]) / N
    reg_loss = reg * np.sum(W1 * W1) + reg * np.sum(W2 * W2)
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {}
    grads["W2"] = np.dot(hidden_layer.T, dscores) + 2 * reg * W2
    grads["b2"] = np.sum(dscores, axis=0)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    grads["W1"] = np.dot(X.T, dhidden) + 2 * reg * W1
    grads["b1"] = np.sum(dhidden, axis=0)
    return data_loss + reg_loss, grads


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_relu_backward = "g*step(a)"
### END SOLUTION
