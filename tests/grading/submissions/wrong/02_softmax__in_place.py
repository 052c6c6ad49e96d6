"""Shifts the caller's array in place."""

EXPECT = {"lose": {"softmax": "in place"}}

import numpy as np


def softmax(x):
    x -= np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)
