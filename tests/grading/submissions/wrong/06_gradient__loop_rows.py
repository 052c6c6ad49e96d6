"""Right values, one row at a time."""

EXPECT = {
    "lose": {"cross_entropy_grad": "loops over the examples"},
    "mistakes": {"cross_entropy_grad": ["loop"]},
    "min_share": 0.9,
}

import numpy as np


def cross_entropy_grad(logits, y):

    N = logits.shape[0]
    out = np.empty_like(logits)
    for i in range(N):
        e = np.exp(logits[i] - logits[i].max())
        out[i] = e / e.sum()
        out[i, y[i]] -= 1
    return out / N
