"""Allocates 1 GB (above the tests' memory limit)."""

EXPECT = {"status": "graded", "lose": {"softmax": "ran out of memory"}}

import numpy as np


def softmax(x):
    big = np.ones(125_000_000)
    return big[: x.size].reshape(x.shape)
