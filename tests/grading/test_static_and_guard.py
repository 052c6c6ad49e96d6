"""Finding a reference implementation statically (``static``) and at run time (``guard``)."""

from __future__ import annotations

import functools
import sys

import numpy as np
import pytest

import ce_course
from ce_course.grading.guard import ReferenceGuard
from ce_course.grading.static import live_reference_uses, reference_uses

SOFTMAX = frozenset({"softmax", "log_softmax", "logsumexp", "cross_entropy"})


def found(chunks: list[str], function: str = "f", forbidden: frozenset[str] = SOFTMAX):
    pairs = [(f"cell {i + 1}", src) for i, src in enumerate(chunks)]
    return [f.origin for f in reference_uses(pairs, function, forbidden)]


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        (["import ce_course\ndef f(x):\n    return ce_course.softmax(x)"], ["ce_course.softmax"]),
        (["import ce_course as cc", "def f(x):\n    return cc.softmax(x)"], ["ce_course.softmax"]),
        (["from ce_course import softmax as s\ndef f(x):\n    return s(x)"], ["ce_course.softmax"]),
        (
            [
                "from ce_course.losses import cross_entropy\ndef f(z, y):\n    return cross_entropy(z, y)"
            ],
            ["ce_course.losses.cross_entropy"],
        ),
        (["from ce_course import *\ndef f(x):\n    return softmax(x)"], ["ce_course.softmax"]),
        (
            ["import ce_course\nsm = ce_course.softmax\ndef f(x):\n    return sm(x)"],
            ["ce_course.softmax"],
        ),
        (
            [
                "import ce_course\ndef g(x):\n    return ce_course.softmax(x)\ndef f(x):\n    return g(x)"
            ],
            ["ce_course.softmax"],
        ),
        (
            ["from scipy.special import logsumexp\ndef f(x):\n    return logsumexp(x)"],
            ["scipy.special.logsumexp"],
        ),
        (
            ["import scipy\ndef f(x):\n    return scipy.special.softmax(x)"],
            ["scipy.special.softmax"],
        ),
        (["def f(x):\n    import torch\n    return torch.softmax(x, 0)"], ["torch"]),
        (["def f(x):\n    return __import__('ce_course').softmax(x)"], ["builtins.__import__"]),
        (["import sys\ndef f(x):\n    sys.setprofile(None)\n    return x"], ["sys.setprofile"]),
        (
            ["import ce_course.softmax as m\ndef f(x):\n    return m._exp_parts(x)"],
            ["ce_course.softmax._exp_parts"],
        ),
        # allowed or unrelated uses
        (["from ce_course import one_hot\ndef f(y):\n    return one_hot(y, 3)"], []),
        (["import torch\nimport numpy as np\ndef f(x):\n    return np.exp(x)"], []),
        (
            [
                "from ce_course import softmax",
                "def softmax(x):\n    return x",
                "def f(x):\n    return softmax(x)",
            ],
            [],
        ),
        (["def f(x)\n    return x"], []),
        (["import ce_course\ndef f(x):\n    ce_course = None\n    return x"], []),
    ],
)
def test_static_detection(chunks: list[str], expected: list[str]) -> None:
    assert found(chunks) == expected


def test_static_policy_follows_the_question() -> None:
    src = ["from scipy.special import logsumexp\ndef f(x):\n    return logsumexp(x)"]
    assert found(src, forbidden=frozenset({"softmax"})) == []
    assert found(src, forbidden=frozenset({"logsumexp"})) == ["scipy.special.logsumexp"]


def test_live_detection() -> None:
    from ce_course import softmax as reference

    def mine(x):
        return reference(x)

    def helper(x):
        return ce_course.log_softmax(x)

    def uses_helper(x):
        return helper(x)

    def clean(x):
        e = np.exp(x - x.max())
        return e / e.sum()

    assert live_reference_uses(mine, SOFTMAX) == ["ce_course.softmax.softmax"]
    assert live_reference_uses(uses_helper, SOFTMAX) == ["ce_course.log_softmax"]
    assert live_reference_uses(clean, SOFTMAX) == []


def _calls_reference(x):
    return ce_course.softmax(x)


def test_guard_records_direct_and_indirect_calls() -> None:
    with ReferenceGuard({"softmax"}) as guard:
        _calls_reference(np.zeros(3))
        functools.partial(ce_course.softmax, axis=-1)(np.zeros(3))
    assert guard.violations == ["ce_course.softmax"]
    assert not guard.tampered


def test_guard_allows_utilities_and_ignores_internal_calls() -> None:
    with ReferenceGuard({"softmax"}) as guard:
        ce_course.one_hot([0, 1], 2)
        ce_course.cross_entropy(np.zeros((2, 2)), [0, 1])  # calls softmax helpers internally
    assert guard.violations == []


def test_guard_flags_private_helpers_and_scipy() -> None:
    import scipy.special

    from ce_course.losses import _softmax_ce

    with ReferenceGuard({"logsumexp"}) as guard:
        _softmax_ce(np.zeros((2, 2)), [0, 1], "mean", 0.0, "x")
        scipy.special.logsumexp(np.zeros(3))
        scipy.special.softmax(np.zeros(3))
    assert guard.violations == ["ce_course._softmax_ce", "scipy.special.logsumexp"]


def test_guard_detects_tampering_and_restores_the_profiler() -> None:
    before = sys.getprofile()
    with ReferenceGuard({"softmax"}) as guard:
        sys.setprofile(None)
        ce_course.softmax(np.zeros(2))
    assert guard.tampered
    assert guard.violations == []
    assert sys.getprofile() is before
