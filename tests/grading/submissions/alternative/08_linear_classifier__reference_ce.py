"""Correct, reusing ce_course.softmax_cross_entropy from earlier exercises (allowed)."""

import numpy as np

from ce_course import softmax_cross_entropy


def linear_softmax_loss(W, X, y, reg):
    loss, dscores = softmax_cross_entropy(X @ W, y)
    return loss + reg * np.sum(W * W), X.T @ dscores + 2 * reg * W
