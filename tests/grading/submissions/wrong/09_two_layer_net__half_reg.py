"""CS231n's 0.5*reg convention, loss and gradients."""

EXPECT = {
    "lose": {"two_layer_loss": "a convention, not an error"},
    "mistakes": {"two_layer_loss": ["half-convention"]},
    "min_share": 0.89,
}

import numpy as np


def _forward(params, X):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    pre = X.dot(W1) + b1
    h = np.maximum(0, pre)
    return pre, h, h.dot(W2) + b2


def two_layer_loss(params, X, y=None, reg=0.0):
    pre, h, scores = _forward(params, X)
    if y is None:
        return scores
    W1, W2 = params["W1"], params["W2"]
    N = X.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1))
    loss = np.mean(lse - shifted[np.arange(N), y])
    G = np.exp(shifted - lse[:, None])
    G[np.arange(N), y] -= 1
    G /= N
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dh = G.dot(W2.T)
    dh[pre <= 0] = 0
    return loss, {
        "W1": X.T.dot(dh) + reg * W1,
        "b1": np.sum(dh, axis=0),
        "W2": h.T.dot(G) + reg * W2,
        "b2": np.sum(G, axis=0),
    }
