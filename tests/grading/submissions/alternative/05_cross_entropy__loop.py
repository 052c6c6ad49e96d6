"""Correct, one example at a time, using ce_course.logsumexp from exercise 03 (allowed)."""

import ce_course


def cross_entropy(logits, y):
    total = 0.0
    for i in range(len(y)):
        total += ce_course.logsumexp(logits[i]) - logits[i, y[i]]
    return total / len(y)


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_ce_dp = "-y_j*p_j^(-1)"
### END SOLUTION
### BEGIN SOLUTION
answer_smoothing_grad = "p_i - ((1-eps)*y_i + eps/C)"
### END SOLUTION
