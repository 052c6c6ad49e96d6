"""Sums the loss and the gradients over the batch."""

EXPECT = {
    "lose": {"two_layer_loss": "sums over the batch"},
    "mistakes": {"two_layer_loss": ["sum-not-mean"]},
}

import numpy as np


def two_layer_loss(params, X, y=None, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    pre = X.dot(W1) + b1
    h = np.maximum(0, pre)
    scores = h.dot(W2) + b2
    if y is None:
        return scores
    N = X.shape[0]

    shifted = scores - scores.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1))
    loss = np.sum(lse - shifted[np.arange(N), y]) + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    G = np.exp(shifted - lse[:, None])
    G[np.arange(N), y] -= 1
    dh = G.dot(W2.T) * (pre > 0)
    return loss, {
        "W1": X.T.dot(dh) + 2 * reg * W1,
        "b1": dh.sum(axis=0),
        "W2": h.T.dot(G) + 2 * reg * W2,
        "b2": G.sum(axis=0),
    }
