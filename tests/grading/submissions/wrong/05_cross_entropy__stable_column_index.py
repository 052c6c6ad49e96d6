"""log_p[:, y] instead of log_p[np.arange(N), y]."""

EXPECT = {"lose": {"cross_entropy": "N × N block"}, "mistakes": {"cross_entropy": ["column-index"]}}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))

    return -np.mean(log_p[:, y])
