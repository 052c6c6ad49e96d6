"""Exercise 06, the gradient: ``cross_entropy_grad(logits, y) = (P - Y) / N``.

Reference: :func:`ce_course.cross_entropy_grad`. Same inputs as exercise 05.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import Exercise, Mistake, Question
from ._common import (
    ALLOWED_FROM_EARLIER,
    BROADCAST_HINT,
    GLOBAL_MAX_MESSAGE,
    PY2_HINTS,
    ROW_INDEX_HINT,
    global_softmax,
    integer_dtype_check,
    integer_kinds,
    naive_softmax,
    one_hot_np,
    rows_sum_to,
    softmax_np,
)
from .ex05_cross_entropy import ce_fixed, ce_kinds

__all__ = ["EXERCISE"]


def _parts(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    P = softmax_np(z)
    return P, one_hot_np(y, z.shape[1], z.dtype), z.shape[0]


def _column_index(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    P = softmax_np(z).copy()
    P[:, y] -= 1
    return P / z.shape[0]


CROSS_ENTROPY_GRAD = Question(
    function="cross_entropy_grad",
    title="gradient of the mean cross-entropy with respect to the logits, (P - Y) / N",
    allowed=ALLOWED_FROM_EARLIER["06"],
    reference=lambda logits, y: ce_course.cross_entropy_grad(logits, y),
    cases=ce_fixed("cross_entropy_grad"),
    kinds=(
        *ce_kinds("cross_entropy_grad"),
        *integer_kinds(lambda r: (r.integers(-5, 6, (4, 3)), r.integers(0, 3, 4)), as_list=False),
    ),
    vectorized=("logits", "y"),
    loop_points=1.0,
    mistakes=(
        Mistake(
            "global-max",
            GLOBAL_MAX_MESSAGE,
            lambda z, y: (global_softmax(z) - one_hot_np(y, z.shape[1], z.dtype)) / z.shape[0],
        ),
        Mistake(
            "no-mean",
            "forgets to divide by N: the loss is a mean over the batch, so its gradient is "
            "(P − Y)/N (off by a factor of N)",
            lambda z, y: (lambda P, Y, N: P - Y)(*_parts(z, y)),
        ),
        Mistake(
            "sign",
            "has the sign flipped: the gradient is (P − Y)/N, not (Y − P)/N",
            lambda z, y: (lambda P, Y, N: (Y - P) / N)(*_parts(z, y)),
        ),
        Mistake(
            "no-targets",
            "returns P/N: subtract the one-hot targets, (P − Y)/N, i.e. 1 at each row's true class",
            lambda z, y: (lambda P, Y, N: P / N)(*_parts(z, y)),
        ),
        Mistake(
            "no-softmax",
            "is missing the softmax probabilities P: the gradient is (P − Y)/N",
            lambda z, y: (lambda P, Y, N: -Y / N)(*_parts(z, y)),
        ),
        Mistake(
            "column-index",
            "P[:, y] -= 1 subtracts 1 in whole columns; subtract it only at each row's true "
            "class, P[np.arange(N), y] -= 1",
            _column_index,
        ),
        Mistake(
            "no-max-shift",
            "computes the softmax without subtracting the maximum: np.exp overflows (inf, nan) "
            "for large logits; subtract each row's maximum first",
            lambda z, y: (naive_softmax(z) - one_hot_np(y, z.shape[1])) / z.shape[0],
        ),
        Mistake(
            "mean-twice",
            "divides by N twice: P is divided by N before 1 is subtracted at the true class, "
            "and the result once more; compute (P − Y) and divide by N once",
            lambda z, y: (lambda P, Y, N: (P / N - Y) / N)(*_parts(z, y)),
        ),
        Mistake(
            "divide-by-C",
            "divides by C, the number of classes; divide by N, the number of examples",
            lambda z, y: (lambda P, Y, N: (P - Y) / z.shape[1])(*_parts(z, y)),
        ),
    ),
    checks=(integer_dtype_check, rows_sum_to(0, "the entries")),
    error_hints=(BROADCAST_HINT, ROW_INDEX_HINT, *PY2_HINTS),
    rtol=1e-9,
    atol=1e-12,
)

EXERCISE = Exercise("06_gradient", "The gradient of softmax cross-entropy", [CROSS_ENTROPY_GRAD])
