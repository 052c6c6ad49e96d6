"""Returns log-probabilities."""

EXPECT = {"lose": {"softmax": "log-probabilities"}}

import numpy as np


def softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
