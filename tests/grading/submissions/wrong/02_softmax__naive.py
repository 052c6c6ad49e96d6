"""The textbook formula without the max shift."""

EXPECT = {"lose": {"softmax": "without subtracting the maximum"}}

import numpy as np


def softmax(x):
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)
