"""Correct: np.take_along_axis picks the true class."""

import numpy as np


def cross_entropy(logits, y):
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y)
    C = logits.shape[1]
    if np.any(y < 0) or np.any(y >= C):
        raise ValueError(f"cross_entropy: labels must be in [0, {C}), got {y}")
    m = np.max(logits, axis=1, keepdims=True)
    log_p = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(np.take_along_axis(log_p, y[:, None], axis=1))


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_ce_dp = "-y_j/p_j"
### END SOLUTION
### BEGIN SOLUTION
answer_smoothing_grad = "p_i - (1 - eps)*y_i - eps/C"
### END SOLUTION
