"""CS231n-style loop over the examples, with an xrange shim."""

EXPECT = {
    "lose": {"cross_entropy": "loops over the examples"},
    "mistakes": {"cross_entropy": ["loop"]},
    "min_share": 0.9,
}

import numpy as np

try:
    xrange
except NameError:
    xrange = range


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")
    num_train = logits.shape[0]
    loss = 0.0
    for i in xrange(num_train):
        scores = logits[i] - np.max(logits[i])
        loss += -scores[y[i]] + np.log(np.sum(np.exp(scores)))
    return loss / num_train
