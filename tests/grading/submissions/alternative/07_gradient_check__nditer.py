"""Correct, with np.nditer (the CS231n way) and np.errstate."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = x.astype(float)
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        saved = x[ix]
        x[ix] = saved + h
        plus = f(x)
        x[ix] = saved - h
        minus = f(x)
        x[ix] = saved
        grad[ix] = (plus - minus) / (2 * h)
        it.iternext()
    return grad


def relative_error(a, b):
    a = np.atleast_1d(np.asarray(a, dtype=float))
    b = np.atleast_1d(np.asarray(b, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
    r[(a == 0) & (b == 0)] = 0.0
    return r.max()


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_central_error = "h^2*f3/6"
### END SOLUTION
### BEGIN SOLUTION
answer_forward_error = "h*f2/2"
### END SOLUTION
