"""Right values with explicit loops over rows and classes: the contract asks for none."""

EXPECT = {
    "lose": {"softmax": "loops over the examples"},
    "mistakes": {"softmax": ["loop"]},
    "min_share": 0.9,
}

import math

import numpy as np


def softmax(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    rows = x.reshape(-1, x.shape[-1])
    out = np.zeros_like(rows)
    for i in range(rows.shape[0]):
        m = max(rows[i])
        total = 0.0
        for j in range(rows.shape[1]):
            total += math.exp(rows[i, j] - m)
        for j in range(rows.shape[1]):
            out[i, j] = math.exp(rows[i, j] - m) / total
    return out.reshape(x.shape)


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_temperature_ratio = "exp(z_i/T)/exp(z_j/T)"
### END SOLUTION
