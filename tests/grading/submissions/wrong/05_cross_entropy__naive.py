"""Softmax without the max shift, then -log."""

EXPECT = {"lose": {"cross_entropy": "overflows"}}

import numpy as np


def cross_entropy(logits, y):
    p = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))
