"""Subtracts the row maxima without keepdims."""

EXPECT = {"lose": {"softmax": "keepdims"}}

import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x, axis=-1))
    return e / np.sum(e, axis=-1, keepdims=True)
