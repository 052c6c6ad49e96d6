"""Forgets to add the maximum back."""

EXPECT = {"lose": {"logsumexp": "add the maximum back"}, "keep": ["log_softmax"]}

import numpy as np


def logsumexp(x):
    m = np.max(x, axis=-1, keepdims=True)
    return np.log(np.sum(np.exp(x - m), axis=-1))


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
