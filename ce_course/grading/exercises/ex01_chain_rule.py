"""Exercise 01, the chain rule: ``forward(a, b, y)`` and ``grad_z(a, b, y)``.

The course's example: ``x = a*b - y`` and ``z = 2*x + y``. The reference is the formulas
``dz/da = 2b``, ``dz/db = 2a`` and ``dz/dy = 2*(-1) + 1 = -1`` (``y`` reaches ``z`` by two paths).
"""

from __future__ import annotations

import numpy as np

from ..spec import Case, CaseKind, Exercise, Mistake, Part, Question

__all__ = ["EXERCISE"]


def forward_reference(a: float, b: float, y: float) -> tuple[float, float]:
    """``(x, z)`` with ``x = a*b - y`` and ``z = 2*x + y``."""
    x = a * b - y
    return (x, 2 * x + y)


def grad_reference(a: float, b: float, y: float) -> tuple[float, float, float]:
    """``(dz/da, dz/db, dz/dy) = (2b, 2a, -1)``."""
    return (2.0 * b, 2.0 * a, -1.0)


def _numbers(rng):
    """Three numbers with two decimals in [-5, 5], sometimes one of them 0 or large."""
    a, b, y = (float(v) for v in np.round(rng.uniform(-5.0, 5.0, 3), 2))
    pick = rng.integers(0, 4)
    if pick == 0:
        b = 0.0
    elif pick == 1:
        y = 100.0 * y
    return a, b, y


def _ints(rng):
    """Three Python ints in [-9, 9]."""
    return tuple(int(v) for v in rng.integers(-9, 10, 3))


def _arrays(rng):
    """Three float arrays of shape (3,): the formulas then hold entry by entry."""
    return tuple(np.round(rng.uniform(-5.0, 5.0, (3, 3)), 2))


FORWARD = Question(
    function="forward",
    title="forward pass x = a*b - y, z = 2*x + y",
    reference=forward_reference,
    parts=(Part("x", (0,)), Part("z", (1,))),
    cases=[
        Case("forward", "the course's example a=10, b=1, y=3", (10.0, 1.0, 3.0), hidden=False),
    ],
    kinds=(
        CaseKind("numbers", "other numbers a, b, y", _numbers, public=1, hidden=3),
        CaseKind("ints", "Python ints a, b, y", _ints),
        CaseKind("arrays", "NumPy arrays a, b, y of shape (3,), entry by entry", _arrays),
    ),
    mistakes=(
        Mistake(
            "x-sign",
            "x = a*b − y: the sign of y in x is wrong",
            lambda a, b, y: (a * b + y, 2 * (a * b + y) + y),
        ),
        Mistake(
            "z-no-y",
            "z = 2*x + y: the + y term is missing",
            lambda a, b, y: (a * b - y, 2 * (a * b - y)),
            parts=("z",),
        ),
        Mistake(
            "z-y-sign",
            "z = 2*x + y: the sign of y in z is wrong",
            lambda a, b, y: (a * b - y, 2 * (a * b - y) - y),
            parts=("z",),
        ),
    ),
    mutation_points=0.0,
    rtol=1e-9,
    atol=1e-12,
)

GRAD_Z = Question(
    function="grad_z",
    title="gradient of z with respect to a, b and y",
    reference=grad_reference,
    parts=(Part("dz_da", (0,)), Part("dz_db", (1,)), Part("dz_dy", (2,))),
    cases=[
        Case(
            "grad_z",
            "the course's example a=10, b=1, y=3",
            (10.0, 1.0, 3.0),
            points=2,
            hidden=False,
        ),
    ],
    kinds=(
        CaseKind("numbers", "other numbers a, b, y", _numbers, points=2, public=1, hidden=3),
        CaseKind("ints", "Python ints a, b, y", _ints),
    ),
    mistakes=(
        Mistake(
            "direct-path-only",
            "dz_dy counts only the direct path y → z (+1); y also reaches z through "
            "x = a*b − y, which adds dz/dx · dx/dy = 2 · (−1): sum over both paths, dz/dy = −1",
            lambda a, b, y: (2.0 * b, 2.0 * a, 1.0),
            parts=("dz_dy",),
        ),
        Mistake(
            "x-path-only",
            "dz_dy counts only the path through x (2 · (−1) = −2); add the direct path "
            "y → z (+1): summing over both paths gives dz/dy = −1",
            lambda a, b, y: (2.0 * b, 2.0 * a, -2.0),
            parts=("dz_dy",),
        ),
        Mistake(
            "swapped",
            "dz_da and dz_db are swapped: x = a*b − y, so dx/da = b and dx/db = a",
            lambda a, b, y: (2.0 * a, 2.0 * b, -1.0),
            parts=("dz_da", "dz_db"),
        ),
        Mistake(
            "no-dz-dx-a",
            "dz_da is only dx/da = b: the chain rule multiplies by dz/dx = 2, so dz/da = 2*b",
            lambda a, b, y: (b, a, -1.0),
            parts=("dz_da",),
        ),
        Mistake(
            "no-dz-dx-b",
            "dz_db is only dx/db = a: the chain rule multiplies by dz/dx = 2, so dz/db = 2*a",
            lambda a, b, y: (b, a, -1.0),
            parts=("dz_db",),
        ),
    ),
    mutation_points=0.0,
    rtol=1e-9,
    atol=1e-12,
)

EXERCISE = Exercise("01_chain_rule", "The chain rule on a small graph", [FORWARD, GRAD_Z])
