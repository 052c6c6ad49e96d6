"""logsumexp keeps the reduced axis: shape (N, 1)."""

EXPECT = {"lose": {"logsumexp": "keepdims"}, "keep": ["log_softmax"]}

import numpy as np


def logsumexp(x):
    m = np.max(x, axis=-1, keepdims=True)
    return m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def log_softmax(x):
    return x - logsumexp(x)
