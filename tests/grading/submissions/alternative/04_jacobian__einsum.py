"""Correct Jacobian with einsum and an identity matrix."""

import numpy as np


def softmax_jacobian(x):
    z = x - x.max()
    p = np.exp(z) / np.exp(z).sum()
    eye = np.eye(len(p), dtype=p.dtype)
    return np.einsum("i,ij->ij", p, eye) - np.einsum("i,j->ij", p, p)


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
