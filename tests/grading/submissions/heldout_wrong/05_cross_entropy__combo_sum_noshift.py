"""Held-out wrong submission: no shift AND sums instead of mean."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "no shift AND sums instead of mean",
    "named": [["maximum", "overflow"], ["sum", "mean", "average"]],
    "tags": ["shift", "mean"],
}


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits)
    return np.sum(np.log(np.sum(np.exp(z), axis=1)) - z[np.arange(z.shape[0]), y])
