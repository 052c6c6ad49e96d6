"""Correct: the outer product by broadcasting."""

import numpy as np


def softmax_jacobian(x):
    z = np.asarray(x)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    e = np.exp(z - z.max())
    p = e / e.sum()
    return np.diag(p) - p[:, None] * p[None, :]


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
