"""Correct Jacobian entry by entry: J[i, j] = p_i (delta_ij - p_j)."""

import numpy as np


def softmax_jacobian(x):
    e = np.exp(x - np.max(x))
    p = e / e.sum()
    C = len(p)
    J = np.empty((C, C), dtype=p.dtype)
    for i in range(C):
        for j in range(C):
            J[i, j] = p[i] * ((1.0 if i == j else 0.0) - p[j])
    return J


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_jacobian_diag = "p_i - p_i^2"
### END SOLUTION
### BEGIN SOLUTION
answer_jacobian_offdiag = "-(p_i*p_j)"
### END SOLUTION
### BEGIN SOLUTION
answer_jacobian_delta = "p_i*delta(i,j) - p_i*p_j"
### END SOLUTION
