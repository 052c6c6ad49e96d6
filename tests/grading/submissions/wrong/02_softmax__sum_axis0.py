"""Normalises over axis 0."""

EXPECT = {"lose": {"softmax": "axis 0"}}

import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
