"""Exercise 07, gradient checking: ``numerical_gradient(f, x, h=1e-5)`` and ``relative_error``.

``numerical_gradient`` must use central differences on every entry of an ``x`` of any shape; its
``f`` is a probe function (:mod:`ce_course.grading.probes`). ``relative_error(a, b)`` is the
largest ``|a - b| / max(|a|, |b|)`` over the entries, 0 where both are 0. References:
:func:`ce_course.numerical_gradient` (``method="central"``) and :func:`ce_course.relative_error`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import ce_course

from ..probes import Probe
from ..spec import Case, CaseKind, ErrorHint, Exercise, Mistake, Question
from ._common import ALLOWED_FROM_EARLIER, PY2_HINTS, integer_dtype_check

__all__ = ["EXERCISE"]

_rng = np.random.default_rng(7)


def _central(f: Any, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    return ce_course.numerical_gradient(f, x, h=h, method="central")


def _integer_steps(f: Any, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    point = np.array(x)
    if point.dtype.kind not in "iub":
        return _central(f, x, h)
    grad = np.zeros(point.shape)
    for i in np.ndindex(point.shape):  # each step is truncated back to an integer
        old = point[i]
        point[i] = old + h
        up = f(point)
        point[i] = old - h
        down = f(point)
        point[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def _no_restore(f: Any, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    x = np.array(x)  # in x's own dtype, as the caller's array would be perturbed
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        grad[i] = (fp - fm) / (2 * h)
    return grad


def _rows_only(f: Any, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def _rippled(probe: Probe, h: float) -> Probe:
    """``probe`` plus ``s * sum(sin(k x))`` with ``k h = 0.1``: at that step the central
    difference is off the exact gradient by about ``(k h)**2 / 6 = 1.7e-3`` (relative), far
    above the question's tolerance, so a closed-form gradient does not pass for an estimate."""
    k = 0.1 / h
    return Probe(probe.name, **probe.params, ripple=np.array([1.0 / k, k]))


def _poly(shape: tuple[int, ...], rng: np.random.Generator, h: float) -> Probe:
    return _rippled(Probe("poly", a=np.round(rng.uniform(-2, 2, size=shape), 2)), h)


_X1 = np.array([0.5, -1.0, 2.0])
_Z = np.array([[1.0, -0.5, 0.3], [0.2, 0.8, -1.2]])

NUMERICAL_GRADIENT = Question(
    function="numerical_gradient",
    title="central-difference estimate of the gradient of a scalar function f at x",
    allowed=ALLOWED_FROM_EARLIER["07"],
    reference=lambda f, x, h=1e-5: _central(f, x, h),
    cases=[
        Case(
            "numerical_gradient",
            "f(x) = Σ a·x³ + Σ x² − 2 Σ x + s Σ sin(k x) at x = [0.5, −1, 2], default h",
            (_rippled(Probe("poly", a=np.array([1.0, 0.5, -0.25])), 1e-5), _X1),
            points=2,
            hidden=False,
            tags={"default_h"},
        ),
        Case(
            "numerical_gradient",
            "softmax cross-entropy as a function of logits of shape (2, 3), h = 1e-5",
            (_rippled(Probe("softmax_ce", y=np.array([0, 2]), shape=(2, 3)), 1e-5), _Z),
            {"h": 1e-5},
            points=2,
            hidden=False,
        ),
    ],
    kinds=(
        CaseKind(
            "large-h",
            "a smooth function with a large step h = 1e-3",
            lambda r: (
                _rippled(Probe("sin", w=np.round(r.uniform(2, 7, 4), 2)), 1e-3),
                r.uniform(-1, 1, 4),
            ),
            kwargs={"h": 1e-3},
            points=2,
        ),
        CaseKind(
            "2d",
            "a 2-D input of shape (3, 4), h = 1e-4",
            lambda r: (_poly((3, 4), r, 1e-4), r.uniform(-1.5, 1.5, (3, 4))),
            kwargs={"h": 1e-4},
            points=2,
        ),
        CaseKind(
            "linear",
            "a linear classifier's loss as a function of W (3, 2), h = 1e-5",
            lambda r: (
                _rippled(
                    Probe(
                        "linear_softmax",
                        X=r.standard_normal((6, 3)),
                        y=r.integers(0, 2, 6),
                        reg=0.1,
                        C=2,
                    ),
                    1e-5,
                ),
                0.5 * r.standard_normal((3, 2)),
            ),
            kwargs={"h": 1e-5},
        ),
        CaseKind(
            "single",
            "a single entry, x of shape (1,), h = 1e-4",
            lambda r: (_poly((1,), r, 1e-4), r.uniform(-2, 2, 1)),
            kwargs={"h": 1e-4},
        ),
        CaseKind(
            "3d",
            "a 3-D input of shape (2, 2, 3), h = 1e-5",
            lambda r: (_poly((2, 2, 3), r, 1e-5), r.uniform(-1, 1, (2, 2, 3))),
            kwargs={"h": 1e-5},
        ),
        CaseKind(
            "integers",
            "integer x (an np.int64 array), h = 1e-4",
            lambda r: (_poly((4,), r, 1e-4), r.integers(-3, 4, 4)),
            kwargs={"h": 1e-4},
            tags=frozenset({"integers"}),
            check_dtype=True,
            points=0.5,
        ),
    ),
    mistakes=(
        Mistake(
            "forward-differences",
            "uses forward differences (f(x + h) − f(x)) / h, whose error is O(h); use central "
            "differences (f(x + h) − f(x − h)) / (2h), whose error is O(h²)",
            lambda f, x, h=1e-5: ce_course.numerical_gradient(f, x, h=h, method="forward"),
        ),
        Mistake(
            "divide-by-h",
            "divides the central difference by h instead of 2h: twice the gradient",
            lambda f, x, h=1e-5: 2 * _central(f, x, h),
        ),
        Mistake(
            "ignores-h",
            "ignores the argument h (a fixed step is used); use the h it is given",
            lambda f, x, h=1e-5: _central(f, x, 1e-5),
        ),
        Mistake(
            "no-restore",
            "does not restore x[i] after perturbing it, so the next entries are evaluated at a "
            "shifted point; put the original value back after each entry",
            _no_restore,
        ),
        Mistake(
            "rows-only",
            "perturbs whole rows (x[i] of a 2-D x is a row); visit every entry, e.g. with "
            "np.ndindex(x.shape) or np.nditer",
            _rows_only,
        ),
        Mistake(
            "integer-steps",
            "perturbs x in its own integer dtype: x[i] + h is truncated back to an integer, so the "
            "step is 0 or a whole unit and the estimates are 0 or wildly off; work on a float64 "
            "copy of x",
            _integer_steps,
        ),
    ),
    checks=(integer_dtype_check,),
    error_hints=(
        ErrorHint("call f with an array of x's shape", own_message="does not have the shape of x"),
        ErrorHint(
            "x may have several dimensions: visit every entry with np.ndindex(x.shape)",
            types=("TypeError", "ValueError"),
            line=r"float\(|\[\s*i\s*\]|range\(\s*len\(",
        ),
        *PY2_HINTS,
    ),
    rtol=1e-6,
    atol=1e-8,
)


def _rel(a: Any, b: Any) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    diff = np.abs(a - b)
    denom = np.maximum(np.abs(a), np.abs(b))
    return np.where(denom > 0, diff / np.where(denom > 0, denom, 1), 0.0)


_A = np.array([1.0, 2.0, 3.0])
_B = np.array([1.0, 2.1, 3.0])


def _one_entry(r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    a = r.uniform(0.5, 3.0, 5) * r.choice([-1.0, 1.0], 5)
    b = a.copy()
    i = r.integers(0, 5)
    b[i] += abs(a[i]) * r.uniform(0.02, 0.5)  # b above a there: a - b < 0
    return a, b


def _some_zeros(r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    a = r.uniform(0.5, 2.0, 4)
    zero = np.array([True, False, True, False])
    a[zero] = 0.0
    b = np.where(zero, 0.0, a * (1 + r.uniform(0.1, 0.6, 4)))
    return a, b


def _tiny(r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    a = 1e-12 * r.uniform(1.0, 3.0, 2)
    return a, a * np.array([1.0 + r.uniform(0.2, 1.0), 1.0])


def _signs(r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    a = r.uniform(0.5, 2.0, 3) * np.array([1.0, -1.0, 1.0])
    return a, -a * r.uniform(0.5, 1.5, 3)


def _matrix(r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    m = r.standard_normal((3, 4))
    return m, m * (1 + 1e-3 * r.standard_normal((3, 4)))


def _numbers(r: np.random.Generator) -> tuple[float, float]:
    x = float(r.uniform(0.5, 2.0))
    return x, x * float(1 + r.uniform(0.01, 0.2))


_RELATIVE_KINDS = (
    CaseKind("one-entry", "two arrays that differ in one entry", _one_entry),
    CaseKind("zeros", "entries that are both 0", _some_zeros, tags=frozenset({"zeros"})),
    CaseKind(
        "all-zeros",
        "two all-zero arrays",
        lambda r: (np.zeros(int(r.integers(2, 6))),) * 2,
        tags=frozenset({"zeros"}),
    ),
    CaseKind("numbers", "two numbers", _numbers),
    CaseKind("signs", "entries of opposite signs", _signs),
    CaseKind("tiny", "tiny values (about 1e-12)", _tiny),
    CaseKind("matrix", "2-D arrays of shape (3, 4)", _matrix),
    CaseKind("identical", "identical arrays", lambda r: (lambda m: (m, m.copy()))(_matrix(r)[0])),
)

RELATIVE_ERROR = Question(
    function="relative_error",
    title="largest |a - b| / max(|a|, |b|) over the entries, 0 where both are 0",
    allowed=ALLOWED_FROM_EARLIER["07"],
    reference=lambda a, b: ce_course.relative_error(a, b),
    cases=[
        Case("relative_error", "two arrays that differ in one entry", (_A, _B), hidden=False),
        Case(
            "relative_error",
            "entries that are both 0",
            (np.array([0.0, 1.0, 0.0]), np.array([0.0, 1.5, 0.0])),
            hidden=False,
            tags={"zeros"},
        ),
    ],
    kinds=_RELATIVE_KINDS,
    mistakes=(
        Mistake(
            "no-zero-guard",
            "divides 0 by 0 where both entries are 0 (nan); the relative error is 0 there: "
            "guard the zeros, e.g. np.where(denom > 0, diff / denom, 0)",
            lambda a, b: np.max(
                np.abs(np.asarray(a) - b) / np.maximum(np.abs(a), np.abs(np.asarray(b)))
            ),
        ),
        Mistake(
            "eps-floor",
            "puts a floor (such as 1e-8) under the denominator, which gives tiny entries a "
            "wrong error; return 0 only where both entries are exactly 0",
            lambda a, b: np.max(
                np.abs(np.asarray(a) - b)
                / np.maximum(1e-8, np.maximum(np.abs(a), np.abs(np.asarray(b))))
            ),
        ),
        Mistake(
            "sum-denominator",
            "divides by |a| + |b|; this course's relative error divides by max(|a|, |b|)",
            lambda a, b: np.max(
                np.abs(np.asarray(a) - b) / np.maximum(1e-8, np.abs(a) + np.abs(np.asarray(b)))
            ),
        ),
        Mistake(
            "sum-denominator-guarded",
            "divides by |a| + |b|; this course's relative error divides by max(|a|, |b|)",
            lambda a, b: np.max(
                _rel(a, b)
                * np.maximum(np.abs(a), np.abs(np.asarray(b)))
                / np.where(np.abs(a) + np.abs(np.asarray(b)) > 0, np.abs(a) + np.abs(b), 1)
            ),
        ),
        Mistake(
            "mean",
            "averages the entries' errors; the relative error is the largest one (max)",
            lambda a, b: np.mean(_rel(a, b)),
        ),
        Mistake(
            "no-abs",
            "forgets the absolute value |a − b|: a negative difference lowers the maximum",
            lambda a, b: np.max(
                np.where(
                    _rel(a, b) > 0,
                    (np.asarray(a) - b)
                    / np.where(_rel(a, b) > 0, np.maximum(np.abs(a), np.abs(np.asarray(b))), 1),
                    0.0,
                )
            ),
        ),
        Mistake(
            "elementwise",
            "returns one error per entry; return a single number, the largest (max) over the "
            "entries",
            _rel,
        ),
        Mistake(
            "denominator-a",
            "divides by |a| only; divide by max(|a|, |b|) so that the error is symmetric",
            lambda a, b: np.max(
                np.where(
                    np.abs(a) > 0,
                    np.abs(np.asarray(a) - b) / np.where(np.abs(a) > 0, np.abs(a), 1),
                    0.0,
                )
            ),
        ),
    ),
    rtol=1e-9,
    atol=1e-14,
)

EXERCISE = Exercise("07_gradient_check", "Gradient checking", [NUMERICAL_GRADIENT, RELATIVE_ERROR])
