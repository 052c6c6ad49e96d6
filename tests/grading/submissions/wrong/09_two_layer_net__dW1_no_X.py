"""dW1 forgets the input X."""

EXPECT = {"lose": {"two_layer_loss": "forgets the input X"}}

import numpy as np


def two_layer_loss(params, X, y, reg):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    pre = X @ W1 + b1
    h = np.maximum(0, pre)
    scores = h @ W2 + b2
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y])) + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    d = p.copy()
    d[np.arange(n), y] -= 1
    d /= n
    dW2 = h.T @ d + 2 * reg * W2
    db2 = d.sum(axis=0)
    dh = d @ W2.T
    dh[pre <= 0] = 0
    dW1 = dh
    db1 = dh.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
