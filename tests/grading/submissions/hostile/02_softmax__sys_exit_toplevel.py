"""Calls sys.exit() at the top, then defines a correct function."""

EXPECT = {"status": "graded", "full": True}

import sys

import numpy as np

answer_temperature_ratio = "exp((z_i - z_j)/T)"

try:
    sys.exit(1)
finally:

    def softmax(x):
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
