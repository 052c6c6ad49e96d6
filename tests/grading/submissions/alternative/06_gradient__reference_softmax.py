"""Correct, with ce_course.softmax and ce_course.one_hot (earlier exercise, and a utility)."""

from ce_course import one_hot, softmax


def cross_entropy_grad(logits, y):
    n, c = logits.shape
    return (softmax(logits) - one_hot(y, c, dtype=logits.dtype)) / n
