"""The first graded function loops forever; the second, independent one is correct."""

EXPECT = {"status": "graded", "lose": {"logsumexp": "timed out"}, "keep": ["log_softmax"]}

import numpy as np


def logsumexp(x):
    while True:
        x = x + 0


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
