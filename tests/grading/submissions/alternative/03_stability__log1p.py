"""Correct, with the log1p form and np.take_along_axis."""

import numpy as np


def logsumexp(x):
    idx = np.argmax(x, axis=-1)[..., None]
    m = np.take_along_axis(x, idx, axis=-1)
    e = np.exp(x - m)
    np.put_along_axis(e, idx, 0, axis=-1)
    return (m + np.log1p(e.sum(axis=-1, keepdims=True)))[..., 0]


def log_softmax(x):
    return x - logsumexp(x)[..., None]


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_logsumexp_grad = "p_i"
### END SOLUTION
### BEGIN SOLUTION
answer_log_softmax_grad = "delta_ij - p_j"
### END SOLUTION
