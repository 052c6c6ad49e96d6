"""Correct: CS231n's dscores idiom on a float copy."""

import numpy as np


def cross_entropy_grad(logits, y):
    num_train = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    dscores = np.exp(shifted)
    dscores /= np.sum(dscores, axis=1, keepdims=True)
    dscores[np.arange(num_train), y] -= 1
    dscores /= num_train
    return dscores


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
