"""Exercise 02, softmax: ``softmax(x)`` for one example ``(C,)`` and a batch ``(N, C)``.

Reference: :func:`ce_course.softmax` along the last axis.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import Case, Exercise, Mistake, Question
from ._common import (
    BROADCAST_HINT,
    ONE_D_HINT,
    PY2_HINTS,
    UNPACK_HINT,
    integer_dtype_check,
    integer_kinds,
    integer_mistakes,
    log_softmax_np,
    naive_softmax,
    rows_sum_to,
    shifted_exp,
    stability_kinds,
)

__all__ = ["EXERCISE", "NAIVE_MESSAGE"]

NAIVE_MESSAGE = (
    "computes exp(x) without subtracting the maximum first: np.exp overflows to inf for large "
    "logits (inf/inf = nan) and underflows to 0 for very negative ones (0/0 = nan); subtract "
    "each row's maximum, exp(x − max(x)), which gives the same softmax"
)


def _global_max(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - np.max(x))
    return e / e.sum(axis=-1, keepdims=True)


def _max_no_keepdims(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1))
    return e / e.sum(axis=-1, keepdims=True)


def _max_axis0(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=0))
    return e / e.sum(axis=-1, keepdims=True)


def _sum_axis0(x: np.ndarray) -> np.ndarray:
    e = shifted_exp(x)
    return e / e.sum(axis=0, keepdims=True)


def _sum_all(x: np.ndarray) -> np.ndarray:
    e = shifted_exp(x)
    return e / e.sum()


def _sum_no_keepdims(x: np.ndarray) -> np.ndarray:
    e = shifted_exp(x)
    return e / e.sum(axis=-1)


_f32 = np.float32


def _int_rows(r: np.random.Generator) -> tuple[np.ndarray]:
    return (r.integers(-5, 6, (3, 4)),)


SOFTMAX = Question(
    function="softmax",
    title="softmax along the last axis, for (C,) and (N, C)",
    reference=lambda x: ce_course.softmax(x, axis=-1),
    cases=[
        Case("softmax", "one example x = [1, 2, 3]", (np.array([1.0, 2.0, 3.0]),), hidden=False),
        Case(
            "softmax",
            "a batch of two rows, shape (2, 3)",
            (np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]),),
            hidden=False,
        ),
    ],
    kinds=(
        *stability_kinds(
            underflow=False, c1_scale=100.0, f32={"rtol": 1e-5, "atol": 1e-7, "check_dtype": True}
        ),
        *integer_kinds(_int_rows, as_list=True),
    ),
    vectorized=("x",),
    loop_points=1.0,
    mistakes=(
        Mistake("no-max-shift", NAIVE_MESSAGE, naive_softmax),
        Mistake(
            "global-max",
            "subtracts the maximum of the whole array instead of each row's maximum: a row far "
            "below the others underflows to 0/0 = nan; use x.max(axis=-1, keepdims=True)",
            _global_max,
        ),
        Mistake(
            "max-no-keepdims",
            "subtracts x.max(axis=-1) without keepdims=True, so the row maxima are broadcast "
            "along the wrong axis (row i's maximum lands in column i); use keepdims=True",
            _max_no_keepdims,
        ),
        Mistake(
            "max-axis0",
            "subtracts the maximum over axis 0 (each column's maximum), which changes every "
            "row's softmax; subtract each row's maximum, x.max(axis=-1, keepdims=True)",
            _max_axis0,
        ),
        Mistake(
            "sum-axis0",
            "normalises over axis 0: the columns sum to 1 instead of the rows; the classes are "
            "along the last axis (axis=-1)",
            _sum_axis0,
        ),
        Mistake(
            "softmax-axis0",
            "normalises over axis 0: the columns sum to 1 instead of the rows; the classes are "
            "along the last axis (axis=-1)",
            lambda x: ce_course.softmax(x, axis=0),
        ),
        Mistake(
            "sum-all",
            "divides by the sum of the whole array: for a batch, each row must sum to 1 "
            "(sum over axis=-1 with keepdims=True)",
            _sum_all,
        ),
        Mistake(
            "sum-no-keepdims",
            "divides by e.sum(axis=-1) without keepdims=True, so the row sums are broadcast "
            "along the wrong axis; use keepdims=True",
            _sum_no_keepdims,
        ),
        Mistake(
            "log-probabilities",
            "returns log-probabilities; softmax returns the probabilities "
            "exp(x − m) / sum(exp(x − m))",
            log_softmax_np,
        ),
        *integer_mistakes(lambda x: ce_course.softmax(x, axis=-1)),
    ),
    checks=(
        integer_dtype_check,
        rows_sum_to(1, "the probabilities"),
    ),
    error_hints=(BROADCAST_HINT, ONE_D_HINT, UNPACK_HINT, *PY2_HINTS),
    rtol=1e-7,
    atol=1e-12,
)

EXERCISE = Exercise("02_softmax", "Softmax", [SOFTMAX])
