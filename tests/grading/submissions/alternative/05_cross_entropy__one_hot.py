"""Correct, with ce_course.one_hot (a utility every exercise may use) and log-softmax."""

import numpy as np

from ce_course import one_hot


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: a label of {y} is outside [0, {logits.shape[1]})")
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    Y = one_hot(y, logits.shape[1])
    return -np.sum(Y * log_p) / logits.shape[0]


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_ce_dp = "-y_j*p_j^(-1)"
### END SOLUTION
### BEGIN SOLUTION
answer_smoothing_grad = "p_i - ((1-eps)*y_i + eps/C)"
### END SOLUTION
