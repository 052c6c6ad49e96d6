"""log(sum(exp(z))) with no shift: overflows to inf, not an underflow."""

EXPECT = {
    "lose": {"cross_entropy": "without subtracting the row maximum"},
    "mistakes": {"cross_entropy": ["lse-no-shift"]},
    "not": ["underflows to 0"],
}

import numpy as np


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")
    N = logits.shape[0]
    return np.mean(np.log(np.sum(np.exp(logits), axis=1)) - logits[np.arange(N), y])
