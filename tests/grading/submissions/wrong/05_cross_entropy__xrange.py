"""Python 2 code: xrange, with no shim."""

EXPECT = {"lose": {"cross_entropy": "use range"}, "mistakes": {"cross_entropy": ["loop"]}}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError("cross_entropy: label out of range")
    loss = 0.0
    for i in xrange(logits.shape[0]):  # noqa: F821
        row = logits[i] - logits[i].max()
        loss += np.log(np.exp(row).sum()) - row[y[i]]
    return loss / logits.shape[0]
