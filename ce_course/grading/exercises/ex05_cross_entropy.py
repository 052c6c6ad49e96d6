"""Exercise 05, cross-entropy: ``cross_entropy(logits, y)``, the mean over a batch.

``logits`` has shape ``(N, C)`` and ``y`` holds ``N`` integer labels. Reference:
:func:`ce_course.cross_entropy`.

Weights (of 28 points; ``exercises/README.md`` has the table for every exercise): 25 for the
cases, one public and one hidden of each kind (6 of them for logits that overflow, sit far
apart or underflow careless code; 2 for the ``ValueError`` on a label out of range, half of it
if the message does not name the function), 2 for vectorized code (no loop over the batch), 1
for leaving the inputs unchanged.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import Case, CaseKind, ErrorHint, Exercise, Mistake, Question
from ._common import (
    ALLOWED_FROM_EARLIER,
    BROADCAST_HINT,
    GLOBAL_MAX_MESSAGE,
    PY2_HINTS,
    ROW_INDEX_HINT,
    ZERO_LOG_ZERO_MESSAGE,
    global_softmax,
    log_softmax_np,
    naive_softmax,
    one_hot_np,
    pick,
    softmax_np,
)

__all__ = ["EXERCISE", "ce_fixed", "ce_kinds"]


def _large(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Logits in [-1000, 1000], every row's maximum near 1000 and the true class near it."""
    N, C = 3, 4
    z = rng.uniform(-1000.0, 1000.0, (N, C))
    top = rng.integers(0, C, N)
    z[np.arange(N), top] = 1000.0 - rng.uniform(0.0, 3.0, N)
    y = top.copy()
    near = (top + 1) % C
    z[np.arange(N), near] = z[np.arange(N), top] - rng.uniform(0.0, 2.0, N)
    y[::2] = near[::2]
    return z, y


def _offsets(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One row near +1000 and one near 0: a shift by the global maximum underflows the second."""
    z = rng.standard_normal((2, 3))
    z[0] += 1000.0
    return z, rng.integers(0, 3, 2)


def _underflow(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary logits except that the true class sits 800 below the row's best."""
    N, C = 2, 3
    z = rng.standard_normal((N, C))
    y = rng.integers(0, C, N)
    z[np.arange(N), y] = z.max(axis=1) - 800.0
    return z, y


def _bad_label(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A label equal to C or more (or negative): the function must raise ValueError."""
    z = rng.standard_normal((3, 4))
    bad = int(rng.choice([-1, 4, 5, 12]))
    return z, np.array([0, bad, 1])


def ce_kinds(fn: str) -> tuple[CaseKind, ...]:
    """The kinds of case shared by exercises 05 and 06 (same inputs, different functions).

    Every kind has one public case (``check()``) and one hidden case drawn from the instructor's
    seed; the large, offset and underflow kinds keep the known stability mistakes apart (no
    shift overflows on the first, a global shift on the second, a log of a probability on the
    third).
    """
    f32 = {"rtol": 1e-5, "atol": 1e-6}
    kinds = [
        CaseKind(
            "basic",
            "a batch of 4 examples and 5 classes",
            lambda r: (r.standard_normal((4, 5)), r.integers(0, 5, 4)),
        ),
        CaseKind(
            "batch",
            "a batch of 8 examples and 10 classes, logits of spread 3",
            lambda r: (3 * r.standard_normal((8, 10)), r.integers(0, 10, 8)),
        ),
        CaseKind(
            "square",
            "as many examples as classes, logits (3, 3)",
            lambda r: (r.standard_normal((3, 3)), r.permutation(3)),
            tags=frozenset({"square"}),
        ),
        CaseKind(
            "large",
            "large logits (about ±1000, each row's maximum near 1000)",
            _large,
            tags=frozenset({"large"}),
        ),
        CaseKind(
            "offsets",
            "rows at very different offsets (one near +1000, one near 0)",
            _offsets,
            tags=frozenset({"large"}),
        ),
        CaseKind(
            "underflow",
            "confidently wrong predictions (the true class 800 below the best)",
            _underflow,
            tags=frozenset({"underflow"}),
        ),
        CaseKind(
            "confident",
            "a confidently right prediction (loss close to 0)",
            lambda r: (np.array([[50.0 + r.uniform(0, 5), r.uniform(-1, 1), 0.0]]), np.array([0])),
            atol=1e-12,
        ),
        CaseKind(
            "ties",
            "ties: all logits of a row equal",
            lambda r: (np.full((3, 4), r.uniform(-5, 5)), r.integers(0, 4, 3)),
            tags=frozenset({"ties"}),
        ),
        CaseKind(
            "c1",
            "a single class, logits (3, 1)",
            lambda r: (r.standard_normal((3, 1)), np.zeros(3, dtype=np.int64)),
            tags=frozenset({"single_class"}),
        ),
        CaseKind(
            "n1",
            "one example, logits (1, 4)",
            lambda r: (r.standard_normal((1, 4)), r.integers(0, 4, 1)),
            tags=frozenset({"n1"}),
        ),
        CaseKind(
            "float32",
            "float32 logits, shape (4, 3)",
            lambda r: (r.standard_normal((4, 3)).astype(np.float32), r.integers(0, 3, 4)),
            tags=frozenset({"float32"}),
            check_dtype=fn == "cross_entropy_grad",
            **f32,
        ),
    ]
    if fn == "cross_entropy":
        kinds.append(
            CaseKind(
                "bad-label",
                "a label outside [0, C): the contract asks for a ValueError",
                _bad_label,
                raises="ValueError",
            )
        )
    return tuple(kinds)


def ce_fixed(fn: str) -> list[Case]:
    """The fixed public example of exercises 05 and 06 (the notebook quotes its value)."""
    return [
        Case(
            fn,
            "two examples, logits of shape (2, 3)",
            (np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 1])),
            hidden=False,
            kind="",
        )
    ]


def _losses(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -pick(log_softmax_np(z), y)


def _clipped(eps: float):
    def loss(z: np.ndarray, y: np.ndarray) -> float:
        return -np.mean(np.log(np.clip(pick(softmax_np(z), y), eps, 1 - eps)))

    return loss


def _plus_eps(eps: float):
    def loss(z: np.ndarray, y: np.ndarray) -> float:
        return -np.mean(np.log(pick(softmax_np(z), y) + eps))

    return loss


_CLIP_MESSAGE = (
    "takes −log of a clipped probability (or of p + eps): the loss of a confidently wrong "
    "prediction is capped near −log(eps) instead of growing; compute it from the logits, "
    "loss_i = logsumexp(z_i) − z_i[y_i]"
)

CROSS_ENTROPY = Question(
    function="cross_entropy",
    title="mean softmax cross-entropy of logits (N, C) and integer labels (N,)",
    allowed=ALLOWED_FROM_EARLIER["05"],
    reference=lambda logits, y: ce_course.cross_entropy(logits, y),
    cases=ce_fixed("cross_entropy"),
    kinds=ce_kinds("cross_entropy"),
    vectorized=("logits", "y"),
    loop_points=2.0,
    mistakes=(
        Mistake(
            "sum-not-mean",
            "sums the losses over the batch instead of averaging them: divide by N, the "
            "number of examples (a factor of N)",
            lambda z, y: np.sum(_losses(z, y)),
        ),
        Mistake(
            "per-example",
            "returns one loss per example; return their mean over the batch, a single number",
            _losses,
        ),
        Mistake(
            "sign",
            "has the wrong sign: the loss is −log p[y], a positive number",
            lambda z, y: np.mean(pick(log_softmax_np(z), y)),
        ),
        Mistake(
            "log-of-softmax",
            "takes −log of a probability that underflows to 0 (inf) for a confidently wrong "
            "prediction; compute it from the logits: loss_i = logsumexp(z_i) − z_i[y_i]",
            lambda z, y: -np.mean(np.log(pick(softmax_np(z), y))),
        ),
        Mistake(
            "no-max-shift",
            "computes the softmax without subtracting the maximum: np.exp overflows (inf, nan) "
            "for large logits; use logsumexp with the row maximum",
            lambda z, y: -np.mean(np.log(pick(naive_softmax(z), y))),
        ),
        Mistake(
            "lse-no-shift",
            "computes log(sum(exp(z))) without subtracting the row maximum: np.exp overflows to "
            "inf for large logits; use logsumexp with the row maximum",
            lambda z, y: np.mean(np.log(np.exp(z).sum(axis=1)) - pick(z, y)),
        ),
        Mistake(
            "lse-whole-batch",
            "sums exp over the whole batch, np.log(np.sum(np.exp(z))), instead of over each row's "
            "classes: use np.sum(..., axis=1, keepdims=True), one log-sum-exp per example",
            lambda z, y: (lambda s: np.mean(np.log(np.exp(s).sum()) - pick(s, y)))(
                z - z.max(axis=1, keepdims=True)
            ),
        ),
        Mistake(
            "global-max",
            GLOBAL_MAX_MESSAGE,
            lambda z, y: -np.mean(np.log(pick(global_softmax(z), y))),
        ),
        Mistake(
            "zero-log-zero",
            ZERO_LOG_ZERO_MESSAGE,
            lambda z, y: (
                -np.mean(np.sum(one_hot_np(y, z.shape[1]) * np.log(softmax_np(z)), axis=1))
            ),
        ),
        *(
            Mistake(f"clipped-{eps:g}", _CLIP_MESSAGE, _clipped(eps))
            for eps in (1e-7, 1e-8, 1e-10, 1e-12, 1e-15)
        ),
        *(
            Mistake(f"plus-eps-{eps:g}", _CLIP_MESSAGE, _plus_eps(eps))
            for eps in (1e-7, 1e-8, 1e-10, 1e-12, 1e-15)
        ),
        Mistake(
            "column-index",
            "p[:, y] selects an N × N block (every row at every label); use "
            "p[np.arange(N), y] to pick each row's true class",
            lambda z, y: -np.mean(log_softmax_np(z)[:, y]),
        ),
        Mistake(
            "all-classes",
            "averages −log p over every class; pick only each row's true class, −log p[i, y[i]]",
            lambda z, y: -np.mean(log_softmax_np(z)),
        ),
    ),
    error_hints=(
        BROADCAST_HINT,
        ROW_INDEX_HINT,
        ErrorHint("index with p[np.arange(N), y]", types=("TypeError",), line=r"\[[^\]]*\by\b"),
        *PY2_HINTS,
    ),
    rtol=1e-9,
    atol=1e-12,
)

EXERCISE = Exercise("05_cross_entropy", "The cross-entropy loss", [CROSS_ENTROPY])
