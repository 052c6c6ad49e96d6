"""Held-out wrong submission: loops over the batch (contract: vectorized)."""

import numpy as np

HELDOUT = {
    "function": "cross_entropy",
    "mistake": "loops over the batch (contract: vectorized)",
    "named": [["loop", "vectoriz"]],
    "tags": ["loop"],
}


try:
    xrange
except NameError:
    xrange = range


def cross_entropy(logits, y):
    y = np.asarray(y)
    C = np.shape(logits)[1]
    bad = (y < 0) | (y >= C)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {y[bad][0]} out of range for {C} classes")
    logits = np.asarray(logits, dtype=float)
    num_train = logits.shape[0]
    loss = 0.0
    for i in xrange(num_train):
        scores = logits[i] - np.max(logits[i])
        correct_class_score = scores[y[i]]
        sum_j = np.sum(np.exp(scores))
        loss += -correct_class_score + np.log(sum_j)
    return loss / num_train
