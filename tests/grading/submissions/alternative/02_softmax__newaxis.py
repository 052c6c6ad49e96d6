"""Correct: normalise with [..., np.newaxis]."""

import numpy as np


def softmax(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=-1)[..., np.newaxis])
    return e / e.sum(axis=-1)[..., np.newaxis]


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_temperature_ratio = "exp((z_i - z_j)/T)"
### END SOLUTION
