"""Held-out wrong submission: no shift: inf/inf."""

import numpy as np

HELDOUT = {
    "function": "softmax",
    "mistake": "no shift: inf/inf",
    "named": [["maximum", "overflow"]],
    "tags": ["shift"],
}


def softmax(x):
    e = np.exp(np.asarray(x))
    return e / e.sum(axis=-1, keepdims=True)
