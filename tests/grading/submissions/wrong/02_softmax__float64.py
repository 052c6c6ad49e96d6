"""Converts to float64, so a float32 input gets a float64 output."""

EXPECT = {"lose": {"softmax": "float32"}}

import numpy as np


def softmax(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
