"""Correct, reusing ce_course.softmax_cross_entropy from earlier exercises (allowed)."""

import numpy as np

from ce_course import softmax_cross_entropy


def linear_softmax_loss(W, X, y, reg):
    loss, dscores = softmax_cross_entropy(X @ W, y)
    return loss + reg * np.sum(W * W), X.T @ dscores + 2 * reg * W


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
