"""Right values, one example at a time."""

EXPECT = {
    "lose": {"two_layer_loss": "loops over the examples"},
    "mistakes": {"two_layer_loss": ["loop"]},
    "min_share": 0.9,
}

import numpy as np


def _forward(params, X):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    pre = X.dot(W1) + b1
    h = np.maximum(0, pre)
    return pre, h, h.dot(W2) + b2


def two_layer_loss(params, X, y=None, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    pre, h, scores = _forward(params, X)
    if y is None:
        return scores
    N = X.shape[0]
    loss = 0.0
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for i in range(N):
        s = scores[i] - scores[i].max()
        p = np.exp(s) / np.exp(s).sum()
        loss += np.log(np.exp(s).sum()) - s[y[i]]
        g = p.copy()
        g[y[i]] -= 1
        g /= N
        grads["W2"] += np.outer(h[i], g)
        grads["b2"] += g
        dh = W2.dot(g) * (pre[i] > 0)
        grads["W1"] += np.outer(X[i], dh)
        grads["b1"] += dh
    loss = loss / N + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    grads["W1"] += 2 * reg * W1
    grads["W2"] += 2 * reg * W2
    return loss, grads
