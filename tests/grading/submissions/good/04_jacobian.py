"""Reference solution of exercise 04 (the softmax Jacobian)."""

import numpy as np


def softmax_jacobian(x):
    """J[i, j] = dp_i / dz_j for logits x of shape (C,)."""
    ### BEGIN SOLUTION
    e = np.exp(x - np.max(x))
    p = e / np.sum(e)
    return np.diag(p) - np.outer(p, p)
    ### END SOLUTION
