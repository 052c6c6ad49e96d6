"""Reference solution of exercise 06 (the gradient)."""

import numpy as np


def cross_entropy_grad(logits, y):
    """Gradient of the mean cross-entropy with respect to the logits: (P - Y) / N."""
    ### BEGIN SOLUTION
    n = logits.shape[0]
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    p[np.arange(n), y] -= 1
    return p / n
    ### END SOLUTION


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
