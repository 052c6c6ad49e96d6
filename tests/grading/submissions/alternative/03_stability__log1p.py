"""Correct, with the log1p form and np.take_along_axis."""

import numpy as np


def logsumexp(x):
    idx = np.argmax(x, axis=-1)[..., None]
    m = np.take_along_axis(x, idx, axis=-1)
    e = np.exp(x - m)
    np.put_along_axis(e, idx, 0, axis=-1)
    return (m + np.log1p(e.sum(axis=-1, keepdims=True)))[..., 0]


def log_softmax(x):
    return x - logsumexp(x)[..., None]
