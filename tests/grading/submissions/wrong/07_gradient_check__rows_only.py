"""Loops over range(len(x)): perturbs whole rows of a 2-D x."""

EXPECT = {"lose": {"numerical_gradient": "whole rows"}, "keep": ["relative_error"]}

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(d > 0, np.abs(a - b) / np.where(d > 0, d, 1), 0.0)))
