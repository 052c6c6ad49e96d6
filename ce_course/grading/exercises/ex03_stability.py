"""Exercise 03, numerical stability: ``logsumexp(x)`` and ``log_softmax(x)`` on the last axis.

Both must be finite for any finite input. References: :func:`ce_course.logsumexp` and
:func:`ce_course.log_softmax`.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import Case, Exercise, Mistake, Question
from ._common import (
    ALLOWED_FROM_EARLIER,
    BROADCAST_HINT,
    ONE_D_HINT,
    PY2_HINTS,
    UNPACK_HINT,
    integer_dtype_check,
    integer_kinds,
    integer_mistakes,
    lse_np,
    naive_softmax,
    softmax_np,
    stability_kinds,
)

__all__ = ["EXERCISE"]

_rng = np.random.default_rng(3)
_f32 = np.float32


def _lse_naive(x: np.ndarray) -> np.ndarray:
    return np.log(np.sum(np.exp(x), axis=-1))


def _lse_no_add(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    return np.log(np.sum(np.exp(x - m), axis=-1))


def _lse_global(x: np.ndarray) -> np.ndarray:
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m), axis=-1))


def _lse_no_keepdims(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1)
    return m + np.log(np.sum(np.exp(x - m), axis=-1))


def _lse_axis0(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=0, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=0, keepdims=True)))[0]


def _lse_all(x: np.ndarray) -> np.ndarray:
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


_KINDS = (
    *stability_kinds(
        underflow=True, c1_scale=10.0, f32={"rtol": 1e-5, "atol": 1e-6, "check_dtype": True}
    ),
    *integer_kinds(lambda r: (r.integers(-5, 6, (3, 4)),), as_list=False),
)


def _cases(fn: str) -> list[Case]:
    return [
        Case(fn, "one example x = [1, 2, 3]", (np.array([1.0, 2.0, 3.0]),), hidden=False),
        Case(
            fn,
            "a batch of two rows, shape (2, 3)",
            (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),),
            hidden=False,
        ),
    ]


LOGSUMEXP = Question(
    function="logsumexp",
    title="log(sum(exp(x))) over the last axis, stable",
    allowed=ALLOWED_FROM_EARLIER["03"],
    reference=lambda x: ce_course.logsumexp(x, axis=-1),
    cases=_cases("logsumexp"),
    kinds=_KINDS,
    vectorized=("x",),
    loop_points=1.0,
    mistakes=(
        Mistake(
            "naive",
            "computes log(sum(exp(x))) directly: exp overflows to inf for large x and "
            "underflows to 0 (log 0 = −inf) for very negative x; use m + log(sum(exp(x − m))) "
            "with m the maximum of the row",
            _lse_naive,
        ),
        Mistake(
            "max-not-added-back",
            "forgets to add the maximum back: logsumexp(x) = m + log(sum(exp(x − m)))",
            _lse_no_add,
        ),
        Mistake(
            "global-max",
            "shifts by the maximum of the whole array, not of each row: a row far below the "
            "others underflows to log(0) = −inf; use x.max(axis=-1, keepdims=True)",
            _lse_global,
        ),
        Mistake(
            "max-no-keepdims",
            "subtracts x.max(axis=-1) without keepdims=True, so the row maxima are broadcast "
            "along the wrong axis; use keepdims=True",
            _lse_no_keepdims,
        ),
        Mistake(
            "axis0",
            "reduces over axis 0; reduce over the last axis (axis=-1): one value per row",
            _lse_axis0,
        ),
        Mistake(
            "all-axes",
            "reduces over every entry and returns one number for a batch; reduce over the last "
            "axis only (axis=-1): one value per row",
            _lse_all,
        ),
        *integer_mistakes(lambda x: ce_course.logsumexp(x, axis=-1)),
    ),
    checks=(integer_dtype_check,),
    error_hints=(BROADCAST_HINT, ONE_D_HINT, UNPACK_HINT, *PY2_HINTS),
    rtol=1e-9,
    atol=1e-10,
)


def _ls_log_of_softmax(x: np.ndarray) -> np.ndarray:
    return np.log(softmax_np(x))


def _ls_naive(x: np.ndarray) -> np.ndarray:
    return np.log(naive_softmax(x))


def _ls_naive_lse(x: np.ndarray) -> np.ndarray:
    return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))


def _ls_max_only(x: np.ndarray) -> np.ndarray:
    return x - x.max(axis=-1, keepdims=True)


def _ls_no_keepdims(x: np.ndarray) -> np.ndarray:
    return x - lse_np(x)


def _ls_global(x: np.ndarray) -> np.ndarray:
    m = np.max(x)
    return x - (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))


_NAIVE_LS = (
    "uses exp(x) without the max shift: it overflows (inf, nan) for large logits and "
    "underflows (log 0 = −inf) for very negative ones; compute x − m − log(sum(exp(x − m)))"
)

LOG_SOFTMAX = Question(
    function="log_softmax",
    title="log of softmax over the last axis, stable",
    allowed=ALLOWED_FROM_EARLIER["03"],
    reference=lambda x: ce_course.log_softmax(x, axis=-1),
    cases=_cases("log_softmax"),
    kinds=_KINDS,
    vectorized=("x",),
    loop_points=1.0,
    mistakes=(
        Mistake(
            "log-of-softmax",
            "takes the log of the probabilities: a probability that underflows to 0 gives "
            "log(0) = −inf; compute x − logsumexp(x) (keepdims=True) instead",
            _ls_log_of_softmax,
        ),
        Mistake("naive", _NAIVE_LS, _ls_naive),
        Mistake("naive-lse", _NAIVE_LS, _ls_naive_lse),
        Mistake(
            "max-only",
            "subtracts only the maximum; also subtract log(sum(exp(x − m))): "
            "log_softmax(x) = x − m − log(sum(exp(x − m)))",
            _ls_max_only,
        ),
        Mistake(
            "lse-no-keepdims",
            "subtracts logsumexp(x) without keepdims=True, so each row's value is broadcast "
            "along the wrong axis; keep the reduced axis",
            _ls_no_keepdims,
        ),
        Mistake(
            "global-max",
            "shifts by the maximum of the whole array, not of each row: a row far below the "
            "others underflows; use x.max(axis=-1, keepdims=True)",
            _ls_global,
        ),
        Mistake(
            "probabilities",
            "returns probabilities; log_softmax returns their logarithms (numbers ≤ 0)",
            softmax_np,
        ),
        *integer_mistakes(lambda x: ce_course.log_softmax(x, axis=-1)),
    ),
    checks=(integer_dtype_check,),
    error_hints=(BROADCAST_HINT, ONE_D_HINT, UNPACK_HINT, *PY2_HINTS),
    rtol=1e-9,
    atol=1e-10,
)

EXERCISE = Exercise("03_stability", "Numerical stability", [LOGSUMEXP, LOG_SOFTMAX])
