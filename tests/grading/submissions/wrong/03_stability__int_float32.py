"""Both functions turn integer input into float32 instead of float64."""

EXPECT = {
    "lose": {"logsumexp": "must become float64", "log_softmax": "must become float64"},
}

import numpy as np


def _floats(x):
    x = np.asarray(x)
    return x.astype(np.float32) if x.dtype.kind != "f" else x


def logsumexp(x):
    x = _floats(x)
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def log_softmax(x):
    x = _floats(x)
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
