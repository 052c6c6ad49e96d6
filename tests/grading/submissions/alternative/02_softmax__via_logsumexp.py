"""Correct softmax as exp(x - logsumexp(x)), using np.logaddexp.reduce."""

import numpy as np


def softmax(x):
    lse = np.logaddexp.reduce(x, axis=-1, keepdims=True)
    return np.exp(x - lse)


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_temperature_ratio = "exp(z_i/T)/exp(z_j/T)"
### END SOLUTION
