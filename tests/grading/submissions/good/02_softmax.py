"""Reference solution of exercise 02 (softmax)."""

import numpy as np


def softmax(x):
    """Softmax along the last axis of x, shape (C,) or (N, C)."""
    ### BEGIN SOLUTION
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)
    ### END SOLUTION


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_temperature_ratio = "exp((z_i - z_j)/T)"
### END SOLUTION
