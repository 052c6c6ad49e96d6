"""Correct: np.einsum for the gradient."""

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    N = X.shape[0]
    Z = np.einsum("nd,dc->nc", X, W)
    Z = Z - Z.max(axis=1, keepdims=True)
    logZ = np.log(np.exp(Z).sum(axis=1))
    loss = (logZ - Z[np.arange(N), y]).mean() + reg * np.einsum("dc,dc->", W, W)
    G = np.exp(Z - logZ[:, None])
    G[np.arange(N), y] -= 1.0
    return loss, np.einsum("nd,nc->dc", X, G) / N + 2 * reg * W


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_linear_dW = "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N"
### END SOLUTION
### BEGIN SOLUTION
answer_linear_dW_reg = "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N + 2*reg*W_{d,c}"
### END SOLUTION
### BEGIN SOLUTION
answer_linear_db = "sum_n(p_{n,c} - y_{n,c})/N"
### END SOLUTION
