"""Reference solution of exercise 09 (a two-layer network)."""

import numpy as np


def two_layer_loss(params, X, y=None, reg=0.0):
    """Loss and gradients of affine - ReLU - affine - softmax with L2 on W1 and W2."""
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    pre = X @ W1 + b1
    hidden = np.maximum(0, pre)
    scores = hidden @ W2 + b2
    if y is None:
        return scores
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(n), y])
    loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n
    grads = {"W2": hidden.T @ dscores + 2 * reg * W2, "b2": dscores.sum(axis=0)}
    dhidden = dscores @ W2.T
    dhidden[pre <= 0] = 0
    grads["W1"] = X.T @ dhidden + 2 * reg * W1
    grads["b1"] = dhidden.sum(axis=0)
    return loss, grads
    ### END SOLUTION


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_relu_backward = "g*step(a)"
### END SOLUTION
