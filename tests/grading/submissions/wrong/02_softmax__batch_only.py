"""Only handles batches: axis=1 fails on one example (C,)."""

EXPECT = {"lose": {"softmax": "shape (C,)"}}

import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
