"""NumPy building blocks for the exercises' known mistakes and property checks.

These are written independently of :mod:`ce_course` (so that a mistake model is the textbook
formula a learner would write, dtype and overflow included) and only run in the grader.
"""

from __future__ import annotations

import numpy as np

from ..compare import allclose
from ..spec import Case, ErrorHint

__all__ = [
    "ALLOWED_FROM_EARLIER",
    "BROADCAST_HINT",
    "GLOBAL_MAX_MESSAGE",
    "INPUT_NOT_TRANSPOSED_HINT",
    "ONE_D_HINT",
    "PY2_HINTS",
    "ROW_INDEX_HINT",
    "UNPACK_HINT",
    "ZERO_LOG_ZERO_MESSAGE",
    "global_softmax",
    "integer_dtype_check",
    "integer_kinds",
    "integer_mistakes",
    "log_softmax_np",
    "lse_np",
    "matmul_hint",
    "naive_softmax",
    "one_hot_np",
    "pick",
    "rows_sum_to",
    "shifted_exp",
    "softmax_np",
    "stability_kinds",
]


def _allowed() -> dict[str, frozenset[str]]:
    steps = {
        "03": {"softmax", "softmax_naive"},
        "04": {"log_softmax", "logsumexp"},
        "05": {"softmax_jacobian", "softmax_vjp"},
        "06": {"cross_entropy", "cross_entropy_from_probs"},
        "07": {"cross_entropy_grad", "softmax_cross_entropy"},
        "08": {"relative_error"},
        "09": {"linear_softmax_loss", "linear_softmax_loss_naive", "train_linear_softmax"},
    }
    out, acc = {"01": frozenset(), "02": frozenset()}, set()
    for number, names in steps.items():
        acc |= names
        out[number] = frozenset(acc)
    return out


ALLOWED_FROM_EARLIER = _allowed()
"""Per exercise number, the :mod:`ce_course` references of earlier exercises a graded function
may call (what the learner already wrote). ``numerical_gradient`` and ``check_gradient`` are never
allowed: an analytic gradient must not be estimated numerically."""

BROADCAST_HINT = ErrorHint(
    "when you subtract or divide by a per-row max or sum, keep the reduced axis "
    "(x.max(axis=-1, keepdims=True))",
    types=("ValueError",),
    line=r"\b(max|sum|amax|logsumexp)\s*\(",
    not_line=r"keepdims|@|\.dot\(|matmul",
)
"""A ValueError on a line that reduces without ``keepdims`` (and multiplies no matrices)."""
ONE_D_HINT = ErrorHint(
    "the function must also accept one example of shape (C,): reduce over axis=-1, the last axis",
    types=("AxisError", "IndexError"),
    line=r"axis\s*=\s*1\b|\[\s*:\s*,",
)
UNPACK_HINT = ErrorHint(
    "the input may have shape (C,) as well as (N, C): do not unpack x.shape into two names",
    types=("ValueError",),
    line=r"=\s*[\w.()]+\.shape\s*$",
)
ROW_INDEX_HINT = ErrorHint(
    "index the rows with np.arange(N), one index per example (N = the number of rows), "
    "paired with the labels y",
    types=("IndexError",),
    line=r"arange",
)
PY2_HINTS = (
    ErrorHint("xrange is Python 2: use range", types=("NameError",), line=r"\bxrange\b"),
    ErrorHint(
        "np.float, np.int and np.bool were removed from NumPy: use float, int, bool or np.float64",
        types=("AttributeError",),
        line=r"np\.(float|int|bool|object)\b(?!\d)",
    ),
    ErrorHint(
        "in Python 3, / gives a float even between integers: use // for a count or an index",
        types=("TypeError", "IndexError"),
        line=r"[^/]/[^/=]",
    ),
)
"""Errors of code written for Python 2 or an old NumPy (CS231n's starter code era)."""


def matmul_hint(shapes: str) -> ErrorHint:
    """A ValueError on a line with ``@``, ``.dot(`` or ``matmul``: check the shapes."""
    return ErrorHint(f"check the shapes: {shapes}", types=("ValueError",), line=r"@|\.dot\(|matmul")


INPUT_NOT_TRANSPOSED_HINT = ErrorHint(
    "check the shapes: a weight's gradient multiplies the transposed input by the upstream "
    "gradient, X.T @ dscores (or X.T.dot(...)), whose shape is the weight's; X @ ... without "
    "the .T does not line up",
    types=("ValueError",),
    line=r"(grad|\bd[A-Za-z_]*\w*\s*[+\-*/]?=).*\b(X|hidden|H|A)\s*(@|\.dot\()",
)
"""A ValueError on a gradient line that multiplies an input without ``.T`` (exercises 08, 09)."""


def shifted_exp(x: np.ndarray) -> np.ndarray:
    """``exp(x - max)`` along the last axis."""
    return np.exp(x - x.max(axis=-1, keepdims=True))


GLOBAL_MAX_MESSAGE = (
    "subtracts the maximum of the whole batch (x.max()) instead of each row's: a row far below "
    "the top underflows to 0 and gives nan or inf; use x.max(axis=-1, keepdims=True)"
)
ZERO_LOG_ZERO_MESSAGE = (
    "sums Y * log(P) over every class: where a probability underflows to 0 this is 0 * (−inf) "
    "= nan; pick only the true class's log-probability, computed from the shifted scores"
)


def global_softmax(x: np.ndarray) -> np.ndarray:
    """Softmax shifted by the maximum of the whole array (underflows for offset rows)."""
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)


def softmax_np(x: np.ndarray) -> np.ndarray:
    """Stable softmax along the last axis, the usual way."""
    e = shifted_exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def naive_softmax(x: np.ndarray) -> np.ndarray:
    """``exp(x) / sum(exp(x))``: overflows for large logits."""
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def lse_np(x: np.ndarray) -> np.ndarray:
    """Stable log-sum-exp along the last axis (axis removed)."""
    m = x.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]


def log_softmax_np(x: np.ndarray) -> np.ndarray:
    """``x - logsumexp(x)`` along the last axis."""
    return x - lse_np(x)[..., np.newaxis]


def one_hot_np(y: np.ndarray, C: int, dtype: type = np.float64) -> np.ndarray:
    """One-hot rows of the labels ``y``."""
    Y = np.zeros((len(y), C), dtype=dtype)
    Y[np.arange(len(y)), y] = 1
    return Y


def pick(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``a[i, y[i]]`` for every row ``i``."""
    return a[np.arange(a.shape[0]), np.asarray(y)]


def rows_sum_to(target: float, what: str):
    """A property check: the rows of the output should sum to ``target``.

    Returns a check function for :attr:`Question.checks` explaining in terms of ``what``
    (e.g. ``"the probabilities"``) which axis does sum correctly, if any.
    """

    def check(a: np.ndarray, e: np.ndarray, case: Case) -> str | None:
        if a.ndim == 0 or not np.all(np.isfinite(a)):
            return None
        rows = a.sum(axis=-1)
        if allclose(rows, np.full_like(rows, target, dtype=np.float64), 1e-6, 1e-6):
            return None
        if target == 1:
            if a.ndim == 2 and allclose(a.sum(axis=0), np.ones(a.shape[1]), 1e-6, 1e-6):
                return (
                    "is not normalised: its columns sum to 1 instead of its rows; sum over the "
                    "class axis (axis=-1)"
                )
            if a.ndim == 2 and abs(float(a.sum()) - 1) < 1e-6:
                return (
                    "is not normalised per row: the whole array sums to 1, but each row must "
                    "(sum over axis=-1 with keepdims=True)"
                )
            return f"is not normalised: {what} in a row should sum to 1"
        return f"{what} in each row should sum to {target:g}"

    return check


def stability_kinds(*, underflow: bool, c1_scale: float, f32: dict) -> tuple:
    """The generated kinds of case of exercises 02 and 03 (softmax, logsumexp, log_softmax).

    Each kind is drawn once with the public seed and once with the instructor's; the offsets
    are random, the situation (overflow, underflow, a row far below another) is not.
    """
    from ..spec import CaseKind

    def large(r):
        z = r.uniform(-3.0, 3.0, (2, 3))
        z[0] += 1000.0
        z[1] += np.array([-1000.0, 0.0, 1000.0])
        return (z,)

    def offsets(r):
        z = r.uniform(-2.0, 2.0, (2, 3))
        z[0] -= 1000.0
        z[1] += 1000.0
        return (z,)

    def ties(r):
        return (np.repeat(r.uniform(-5.0, 5.0, (2, 1)), 4, axis=1),)

    def f32_large(r):
        z = np.array([[90.0, 91.0, 0.0], [-100.0, 0.0, 100.0]]) + r.uniform(-1.0, 1.0, (2, 3))
        return (z.astype(np.float32),)

    kinds = [
        CaseKind(  # float64 in, float64 out: its dtype is checked too
            "batch",
            "a batch of 5 rows, shape (5, 4)",
            lambda r: (3 * r.standard_normal((5, 4)),),
            check_dtype=True,
        ),
        CaseKind(
            "square",
            "a square batch, shape (3, 3)",
            lambda r: (2 * r.standard_normal((3, 3)),),
            tags=frozenset({"square"}),
        ),
        CaseKind("large", "large logits (about ±1000)", large, tags=frozenset({"large"})),
        CaseKind(
            "negative",
            "very negative logits (about −1000)",
            lambda r: (-1000.0 - r.uniform(0.0, 3.0, (1, 3)),),
            tags=frozenset({"negative"}),
        ),
        CaseKind(
            "offsets",
            "rows of very different sizes (one near −1000, one near +1000)",
            offsets,
            tags=frozenset({"large"}),
        ),
        CaseKind("ties", "ties: all logits of a row equal", ties, tags=frozenset({"ties"})),
        CaseKind(
            "c1",
            "a single class, shape (4, 1)",
            lambda r: (c1_scale * r.standard_normal((4, 1)),),
            tags=frozenset({"single_class"}),
        ),
        CaseKind(
            "n1",
            "one row, shape (1, 5)",
            lambda r: (r.standard_normal((1, 5)),),
            tags=frozenset({"n1"}),
        ),
        CaseKind(
            "float32-large",
            "float32 input with large logits",
            f32_large,
            tags=frozenset({"float32", "large"}),
            **f32,
        ),
        CaseKind(
            "float32",
            "float32 batch, shape (4, 3)",
            lambda r: (r.standard_normal((4, 3)).astype(np.float32),),
            tags=frozenset({"float32"}),
            **f32,
        ),
    ]
    if underflow:

        def under(r):
            z = r.uniform(-1.0, 1.0, (2, 2))
            z[0, 1] -= 800.0
            z[1, 0] -= 800.0
            return (z,)

        kinds.append(
            CaseKind(
                "underflow",
                "a probability that underflows to 0: logits about [0, −800]",
                under,
                tags=frozenset({"underflow"}),
            )
        )
    return tuple(kinds)


INTEGER_MESSAGE_INT = (
    "returns integers for integer input: the entries are truncated; integers must become "
    "float64 before any arithmetic (convert the input to a float array first)"
)
INTEGER_MESSAGE_F32 = (
    "returns float32 for integer input: integers must become float64, not float32 (convert "
    "non-float input to a float64 array; only float input keeps its own dtype)"
)


def _is_int(a) -> bool:
    return np.asarray(a).dtype.kind in "iub"


def integer_kinds(make, *, as_list: bool, points: float = 0.5) -> tuple:
    """Kinds of case with integer input, graded on dtype (float64) and values.

    ``make(rng) -> args`` draws the arguments with the first one an ``np.int64`` array; with
    ``as_list`` a second kind passes that argument as a list of Python ints. The tolerances are
    tight so that a float32 result (about 1e-8 off) fails and its mistake is named.
    """
    from ..spec import CaseKind

    opts = {"points": points, "rtol": 1e-10, "atol": 1e-13, "check_dtype": True}
    opts["tags"] = frozenset({"integers"})
    kinds = [CaseKind("integers", "integer input (an np.int64 array)", make, **opts)]
    if as_list:

        def listed(r):
            first, *rest = make(r)
            return (np.asarray(first).tolist(), *rest)

        kinds.append(CaseKind("int-list", "a list of Python ints", listed, **opts))
    return tuple(kinds)


def integer_mistakes(reference) -> tuple:
    """The known mistake of the integer kinds: an integer (truncated) result.

    On float input it behaves like ``reference`` (it only differs on integer input).
    """
    from ..spec import Mistake

    def as_int(x, *rest):
        out = reference(x, *rest)
        return np.asarray(out).astype(np.asarray(x).dtype) if _is_int(x) else out

    return (Mistake("integer-output", INTEGER_MESSAGE_INT, as_int),)


def integer_dtype_check(a: np.ndarray, e: np.ndarray, case: Case) -> str | None:
    """A property check: on integer input the result must be float64 (its values aside).

    A float32 result is off by about 1e-8, as much as two float32 computations differ from
    each other, so no mistake model can name it by value; its dtype names it.
    """
    if "integers" not in case.tags or a.dtype == e.dtype:
        return None
    return (
        INTEGER_MESSAGE_INT
        if a.dtype.kind in "iub"
        else INTEGER_MESSAGE_F32.replace("float32", str(a.dtype), 1)
    )
