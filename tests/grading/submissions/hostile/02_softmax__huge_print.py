"""Prints 100 MB at the top and 10 MB per call, then is correct."""

EXPECT = {"status": "graded", "full": True}

import os
import sys

import numpy as np

answer_temperature_ratio = "exp((z_i - z_j)/T)"

print("x" * 100_000_000)
os.write(1, b"y" * 20_000_000)
sys.__stderr__.write("z" * 1_000_000)


def softmax(x):
    print("w" * 10_000_000)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
