"""Correct: logsumexp by np.logaddexp.reduce, log_softmax from it."""

import numpy as np


def logsumexp(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return np.logaddexp.reduce(x, axis=-1)


def log_softmax(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return x - logsumexp(x)[..., None]


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_logsumexp_grad = "exp(z_i)/sum_k(exp(z_k))"
### END SOLUTION
### BEGIN SOLUTION
answer_log_softmax_grad = "delta(i,j) - p_j"
### END SOLUTION
