"""Reference solution of exercise 04 (the softmax Jacobian)."""

import numpy as np


def softmax_jacobian(x):
    """J[i, j] = dp_i / dz_j for logits x of shape (C,)."""
    ### BEGIN SOLUTION
    e = np.exp(x - np.max(x))
    p = e / np.sum(e)
    return np.diag(p) - np.outer(p, p)
    ### END SOLUTION


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_jacobian_diag = "p_i*(1 - p_i)"
### END SOLUTION
### BEGIN SOLUTION
answer_jacobian_offdiag = "-p_i*p_j"
### END SOLUTION
### BEGIN SOLUTION
answer_jacobian_delta = "p_i*(delta(i,j) - p_j)"
### END SOLUTION
