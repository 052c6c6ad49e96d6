"""Fills an output made with np.empty_like(x): integer input gives a truncated integer array."""

EXPECT = {"lose": {"softmax": "must become float64"}, "mistakes": {"softmax": ["integer-output"]}}

import numpy as np


def softmax(x):
    x = np.asarray(x)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    out = np.empty_like(x)
    out[...] = e / np.sum(e, axis=-1, keepdims=True)
    return out
