"""dscores = probs; dscores[range(N), y] -= 1, and the /N is forgotten."""

EXPECT = {
    "lose": {"cross_entropy_grad": "forgets to divide by N"},
    "mistakes": {"cross_entropy_grad": ["no-mean"]},
}

import numpy as np


def cross_entropy_grad(logits, y):
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)

    P[range(N), y] -= 1
    return P
