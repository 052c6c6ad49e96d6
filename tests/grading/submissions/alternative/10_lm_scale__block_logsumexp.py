"""Correct: the package's logsumexp (exercise 3) on each block, merged with np.logaddexp."""

import numpy as np

from ce_course import logsumexp


def linear_ce_forward(H, W, y, block_size):
    n, v = H.shape[0], W.shape[1]
    lse = np.full(n, -np.inf, dtype=H.dtype)
    target = np.empty(n, dtype=H.dtype)
    for start in range(0, v, block_size):
        Z = H @ W[:, start : start + block_size]
        lse = np.logaddexp(lse, logsumexp(Z, axis=1))
        for i in np.flatnonzero((y >= start) & (y < start + Z.shape[1])):
            target[i] = Z[i, y[i] - start]
    return np.sum(lse - target) / n, lse


def linear_ce_backward(H, W, y, lse, block_size):
    n, v = H.shape[0], W.shape[1]
    dH = np.zeros(H.shape, dtype=H.dtype)
    dW = np.zeros(W.shape, dtype=W.dtype)
    for start in range(0, v, block_size):
        stop = min(v, start + block_size)
        P = np.exp(H @ W[:, start:stop] - lse.reshape(-1, 1))
        for i in np.flatnonzero((y >= start) & (y < stop)):
            P[i, y[i] - start] -= 1.0
        dH += P @ W[:, start:stop].T / n
        dW[:, start:stop] = H.T @ P / n
    return dH, dW
