"""Python 2 habit: C / 2 used as a slice index (a float in Python 3)."""

EXPECT = {"lose": {"logsumexp": "use // for a count"}, "keep": ["log_softmax"]}

import numpy as np


def logsumexp(x):
    x = np.asarray(x)
    C = x.shape[-1]
    m = np.maximum(x[..., : C / 2].max(axis=-1), x[..., C / 2 :].max(axis=-1))
    return m + np.log(np.sum(np.exp(x - m[..., None]), axis=-1))


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
