"""Held-out wrong submission: sum without keepdims."""

import numpy as np

HELDOUT = {
    "function": "softmax",
    "mistake": "sum without keepdims",
    "named": [["keepdims"]],
    "tags": ["keepdims"],
}


def softmax(x):
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)
