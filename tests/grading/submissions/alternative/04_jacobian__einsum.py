"""Correct Jacobian with einsum and an identity matrix."""

import numpy as np


def softmax_jacobian(x):
    z = x - x.max()
    p = np.exp(z) / np.exp(z).sum()
    eye = np.eye(len(p), dtype=p.dtype)
    return np.einsum("i,ij->ij", p, eye) - np.einsum("i,j->ij", p, p)
