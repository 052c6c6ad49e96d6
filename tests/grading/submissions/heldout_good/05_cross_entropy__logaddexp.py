"""Held-out correct variant."""

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    z = np.asarray(logits)
    lse = np.logaddexp.reduce(z, axis=1)
    return np.mean(lse - z[np.arange(z.shape[0]), y])
