"""Correct: one-hot rows from np.eye, dtype kept."""

import numpy as np


def cross_entropy_grad(logits, y):
    logits = np.asarray(logits)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    Y = np.eye(logits.shape[1], dtype=logits.dtype)[y]
    return (P - Y) / logits.shape[0]


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_ce_chain_term = "-y_j*(delta(i,j) - p_i)"
### END SOLUTION
### BEGIN SOLUTION
answer_ce_dz = "p_i - y_i"
### END SOLUTION
### BEGIN SOLUTION
answer_temperature_grad = "(p_i - y_i)/T"
### END SOLUTION
### BEGIN SOLUTION
answer_batch_dz = "(p_{n,i} - y_{n,i})/N"
### END SOLUTION
