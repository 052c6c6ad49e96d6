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
