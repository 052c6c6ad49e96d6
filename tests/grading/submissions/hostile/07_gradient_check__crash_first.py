"""The first graded function crashes the process; the second one is correct."""

EXPECT = {
    "status": "graded",
    "lose": {"numerical_gradient": "segmentation fault"},
    "keep": ["relative_error"],
}

import ctypes

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    ctypes.memset(0, 1, 8)


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(d > 0, np.abs(a - b) / np.where(d > 0, d, 1), 0.0)))
