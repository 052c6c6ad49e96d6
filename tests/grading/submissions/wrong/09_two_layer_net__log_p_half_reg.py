"""-log(p) after the shift, and the 0.5*reg convention."""

EXPECT = {
    "lose": {"two_layer_loss": "underflows to 0"},
    "mistakes": {"two_layer_loss": ["half-convention", "log-of-softmax"]},
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

    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(N), y])) + 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2))
    G = P.copy()
    G[np.arange(N), y] -= 1
    G /= N
    dh = G.dot(W2.T) * (pre > 0)
    return loss, {
        "W1": X.T.dot(dh) + reg * W1,
        "b1": dh.sum(axis=0),
        "W2": h.T.dot(G) + reg * W2,
        "b2": G.sum(axis=0),
    }
