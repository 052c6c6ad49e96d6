"""Returns P / N, forgetting the one-hot targets."""

EXPECT = {"lose": {"cross_entropy_grad": "one-hot"}}

import numpy as np


def cross_entropy_grad(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) / logits.shape[0]
