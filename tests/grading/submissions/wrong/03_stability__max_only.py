"""log_softmax subtracts only the maximum."""

EXPECT = {"lose": {"log_softmax": "subtracts only the maximum"}, "keep": ["logsumexp"]}

import numpy as np


def logsumexp(x):
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def log_softmax(x):
    return x - np.max(x, axis=-1, keepdims=True)
