"""Correct, with np.where for the ReLU and a helper for the softmax gradient."""

import numpy as np


def _softmax_grad(scores, y):
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    g = np.exp(log_p)
    g[np.arange(len(y)), y] -= 1
    return -log_p[np.arange(len(y)), y].mean(), g / len(y)


def two_layer_loss(params, X, y=None, reg=0.0):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    a = X @ W1 + b1
    h = np.where(a > 0, a, 0.0)
    if y is None:
        return h @ W2 + b2
    data_loss, g = _softmax_grad(h @ W2 + b2, y)
    loss = data_loss + reg * (np.einsum("ij,ij->", W1, W1) + np.einsum("ij,ij->", W2, W2))
    dh = np.where(a > 0, g @ W2.T, 0.0)
    return loss, {
        "W1": X.T @ dh + 2 * reg * W1,
        "b1": dh.sum(0),
        "W2": h.T @ g + 2 * reg * W2,
        "b2": g.sum(0),
    }


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_relu_backward = "step(a)*g"
### END SOLUTION
