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


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_linear_dW = "sum_n(x_nd*(p_nc - y_nc))/N"
### END SOLUTION
### BEGIN SOLUTION
answer_linear_dW_reg = "2*reg*W_dc + sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N"
### END SOLUTION
### BEGIN SOLUTION
answer_linear_db = "(sum_n(p_{n,c}) - sum_n(y_{n,c}))/N"
### END SOLUTION
