"""Reference solution of exercise 07 (gradient checking)."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function f at x (any shape)."""
    ### BEGIN SOLUTION
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        x[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return grad
    ### END SOLUTION


def relative_error(a, b):
    """max |a - b| / max(|a|, |b|) over the entries, 0 where both are 0."""
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    diff = np.abs(a - b)
    denom = np.maximum(np.abs(a), np.abs(b))
    safe = np.where(denom > 0, denom, 1.0)
    return float(np.max(np.where(denom > 0, diff / safe, 0.0)))
    ### END SOLUTION


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_central_error = "h^2/6*f3"
### END SOLUTION
### BEGIN SOLUTION
answer_forward_error = "h/2*f2"
### END SOLUTION
