"""Exercise 04, the softmax Jacobian: ``softmax_jacobian(x)`` for one example ``(C,)``.

Reference: :func:`ce_course.softmax_jacobian`, ``J = diag(p) - p pᵀ``.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import Case, CaseKind, Exercise, Mistake, Question
from ._common import (
    ALLOWED_FROM_EARLIER,
    BROADCAST_HINT,
    PY2_HINTS,
    integer_dtype_check,
    integer_kinds,
    integer_mistakes,
    naive_softmax,
    rows_sum_to,
    softmax_np,
)

__all__ = ["EXERCISE"]

_rng = np.random.default_rng(4)


def _p(x: np.ndarray) -> np.ndarray:
    return softmax_np(np.asarray(x))


JACOBIAN = Question(
    function="softmax_jacobian",
    title="Jacobian of softmax, J[i, j] = dp_i/dz_j, for x of shape (C,)",
    allowed=ALLOWED_FROM_EARLIER["04"],
    reference=ce_course.softmax_jacobian,
    cases=[
        Case("softmax_jacobian", "two equal logits x = [0, 0]", (np.zeros(2),), hidden=False),
        Case(
            "softmax_jacobian",
            "x = [1, 2, 3]",
            (np.array([1.0, 2.0, 3.0]),),
            hidden=False,
        ),
    ],
    kinds=(
        CaseKind("five", "5 classes", lambda r: (2 * r.standard_normal(5),), check_dtype=True),
        CaseKind(
            "large",
            "large logits (about 1000)",
            lambda r: (np.array([1000.0, 999.0, 0.0]) + r.uniform(-1, 1, 3),),
            tags=frozenset({"large"}),
        ),
        CaseKind(
            "negative",
            "very negative logits (about −1000)",
            lambda r: (-1000.0 - r.uniform(0, 3, 3),),
            tags=frozenset({"negative"}),
        ),
        CaseKind(
            "c1",
            "a single class",
            lambda r: (r.uniform(-5, 5, 1),),
            tags=frozenset({"single_class"}),
        ),
        CaseKind(
            "ties",
            "ties: 4 equal logits",
            lambda r: (np.full(4, r.uniform(-5, 5)),),
            tags=frozenset({"ties"}),
        ),
        CaseKind(
            "apart",
            "two classes far apart",
            lambda r: (np.array([10.0, -10.0]) + r.uniform(-1, 1, 2),),
        ),
        CaseKind(
            "float32",
            "float32 input",
            lambda r: (r.standard_normal(4).astype(np.float32),),
            tags=frozenset({"float32"}),
            rtol=1e-5,
            atol=1e-7,
            check_dtype=True,
        ),
        *integer_kinds(lambda r: (r.integers(-5, 6, 4),), as_list=False),
    ),
    mistakes=(
        Mistake(
            "diag-only",
            "has only the diagonal p_i: the off-diagonal entries dp_i/dz_j = −p_i·p_j are "
            "missing (J = diag(p) − p pᵀ)",
            lambda x: np.diag(_p(x)),
        ),
        Mistake(
            "diag-p1mp-only",
            "has the right diagonal p_i(1 − p_i) but zeros elsewhere: the off-diagonal entries "
            "are −p_i·p_j (J = diag(p) − p pᵀ)",
            lambda x: np.diag(_p(x) * (1 - _p(x))),
        ),
        Mistake(
            "outer-only",
            "is −p pᵀ only: add diag(p) (J = diag(p) − p pᵀ)",
            lambda x: -np.outer(_p(x), _p(x)),
        ),
        Mistake(
            "dot-not-outer",
            "p @ p.T of a 1-D array is a number (the dot product), not the outer product "
            "matrix; use np.outer(p, p)",
            lambda x: np.diag(_p(x)) - _p(x) @ _p(x).T,
        ),
        Mistake(
            "diagonal-vector",
            "returns only the diagonal p_i(1 − p_i) as a vector; the Jacobian is the (C, C) "
            "matrix diag(p) − p pᵀ",
            lambda x: _p(x) * (1 - _p(x)),
        ),
        Mistake(
            "no-max-shift",
            "computes the softmax without subtracting the maximum: np.exp overflows (nan) for "
            "large logits and gives 0/0 for very negative ones; subtract max(x) first",
            lambda x: np.diag(naive_softmax(x)) - np.outer(naive_softmax(x), naive_softmax(x)),
        ),
        *integer_mistakes(ce_course.softmax_jacobian),
    ),
    checks=(
        integer_dtype_check,
        rows_sum_to(0, "the entries"),
    ),
    error_hints=(BROADCAST_HINT, *PY2_HINTS),
    rtol=1e-7,
    atol=1e-12,
)

EXERCISE = Exercise("04_jacobian", "The softmax Jacobian", [JACOBIAN])
