"""Right values, with explicit loops (the 'naive' version of chapter 8): not vectorized."""

EXPECT = {"lose": {"linear_softmax_loss": "loops over the examples"}, "min_share": 0.9}

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    C = W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        scores = scores - scores.max()
        total = np.exp(scores).sum()
        loss += np.log(total) - scores[y[i]]
        for j in range(C):
            p = np.exp(scores[j]) / total
            dW[:, j] += (p - (j == y[i])) * X[i]
    return loss / N + reg * np.sum(W**2), dW / N + 2 * reg * W
