"""Held-out wrong submission: loops over the batch (contract: vectorized)."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy_grad",
    "mistake": "loops over the batch (contract: vectorized)",
    "named": [["loop", "vectoriz"]],
    "tags": ["loop"],
}


try:
    xrange
except NameError:
    xrange = range


def cross_entropy_grad(logits, y):
    logits = np.asarray(logits)
    if not np.issubdtype(logits.dtype, np.floating):
        logits = logits.astype(np.float64)
    num_train = logits.shape[0]
    dlogits = np.zeros_like(logits)
    for i in xrange(num_train):
        s = logits[i] - np.max(logits[i])
        p = np.exp(s) / np.sum(np.exp(s))
        p[y[i]] -= 1
        dlogits[i] = p / num_train
    return dlogits
