"""log(sum(exp(x))) with no shift."""

EXPECT = {"lose": {"logsumexp": "overflow"}, "keep": ["log_softmax"]}

import numpy as np


def logsumexp(x):
    return np.log(np.sum(np.exp(x), axis=-1))


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
