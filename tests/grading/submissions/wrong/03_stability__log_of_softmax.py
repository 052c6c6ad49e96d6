"""log_softmax as the log of a (stable) softmax."""

EXPECT = {"lose": {"log_softmax": "log of the probabilities"}, "keep": ["logsumexp"]}

import numpy as np


def logsumexp(x):
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def log_softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return np.log(e / np.sum(e, axis=-1, keepdims=True))
