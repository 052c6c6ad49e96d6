"""Turns integer input into float32 instead of float64 (float input is right)."""

EXPECT = {"lose": {"softmax": "must become float64"}, "mistakes": {"softmax": []}}

import numpy as np


def softmax(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
