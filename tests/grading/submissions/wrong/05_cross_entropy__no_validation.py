"""Right loss, but no ValueError for a label out of range."""

EXPECT = {
    "lose": {"cross_entropy": "the contract asks for a ValueError"},
    "mistakes": {"cross_entropy": []},
}

import numpy as np


def cross_entropy(logits, y):
    N = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return np.mean(lse - logits[np.arange(N), np.asarray(y) % logits.shape[1]])
