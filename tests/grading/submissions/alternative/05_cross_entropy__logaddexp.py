"""Correct: np.logaddexp.reduce is stable."""

import numpy as np


def cross_entropy(logits, y):
    logits, y = np.asarray(logits, dtype=float), np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: label out of range for {logits.shape[1]} classes")
    lse = np.logaddexp.reduce(logits, axis=1)
    return float(np.mean(lse - np.take_along_axis(logits, y[:, None], axis=1)[:, 0]))


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_ce_dp = "-y_j/p_j"
### END SOLUTION
### BEGIN SOLUTION
answer_smoothing_grad = "p_i - (1 - eps)*y_i - eps/C"
### END SOLUTION
