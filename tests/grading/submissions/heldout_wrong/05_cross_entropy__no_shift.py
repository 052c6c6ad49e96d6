"""Held-out wrong submission: log(sum(exp(z))) with no shift overflows."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "log(sum(exp(z))) with no shift overflows",
    "named": [["maximum", "overflow"]],
    "tags": ["shift"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits)
    N = z.shape[0]
    return np.mean(np.log(np.sum(np.exp(z), axis=1)) - z[np.arange(N), y])
