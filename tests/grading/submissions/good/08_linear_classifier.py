"""Reference solution of exercise 08 (a linear softmax classifier)."""

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    """Loss (mean cross-entropy + reg * sum(W**2)) and its gradient dW."""
    ### BEGIN SOLUTION
    n = X.shape[0]
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(n), y]) + reg * np.sum(W * W)
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dW = X.T @ dscores + 2 * reg * W
    return loss, dW
    ### END SOLUTION


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
