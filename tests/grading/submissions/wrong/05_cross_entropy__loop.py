"""Right values, one example at a time (ce_course.logsumexp is allowed): not vectorized."""

EXPECT = {"lose": {"cross_entropy": "loops over the examples"}, "min_share": 0.9}

import numpy as np

import ce_course


def cross_entropy(logits, y):
    y = np.asarray(y)
    if np.any((y < 0) | (y >= logits.shape[1])):
        raise ValueError(f"cross_entropy: a label of {y} is outside [0, {logits.shape[1]})")
    total = 0.0
    for i in range(len(y)):
        total += ce_course.logsumexp(logits[i]) - logits[i, y[i]]
    return total / len(y)


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_ce_dp = "-y_j/p_j"
### END SOLUTION
### BEGIN SOLUTION
answer_smoothing_grad = "p_i - (1 - eps)*y_i - eps/C"
### END SOLUTION
