"""Correct, one example at a time, using ce_course.logsumexp from exercise 03 (allowed)."""

import ce_course


def cross_entropy(logits, y):
    total = 0.0
    for i in range(len(y)):
        total += ce_course.logsumexp(logits[i]) - logits[i, y[i]]
    return total / len(y)
