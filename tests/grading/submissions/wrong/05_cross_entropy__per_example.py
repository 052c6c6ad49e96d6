"""Returns one loss per example."""

EXPECT = {"lose": {"cross_entropy": "one loss per example"}}

import numpy as np


def cross_entropy(logits, y):
    m = logits.max(axis=1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y]
