"""Exercise 05, cross-entropy: ``cross_entropy(logits, y)``, the mean over a batch.

``logits`` has shape ``(N, C)`` and ``y`` holds ``N`` integer labels. Reference:
:func:`ce_course.cross_entropy`.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import Case, ErrorHint, Exercise, Mistake, Question
from ._common import (
    ALLOWED_FROM_EARLIER,
    BROADCAST_HINT,
    PY2_HINTS,
    ROW_INDEX_HINT,
    log_softmax_np,
    naive_softmax,
    pick,
    softmax_np,
)

__all__ = ["EXERCISE", "ce_cases"]


def ce_cases(fn: str, seed: int) -> list[Case]:
    """The cases shared by exercises 05 and 06 (same inputs, different functions)."""
    rng = np.random.default_rng(seed)
    f32 = {"rtol": 1e-5, "atol": 1e-6}
    return [
        Case(
            fn,
            "two examples, logits of shape (2, 3)",
            (np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 1])),
            hidden=False,
        ),
        Case(
            fn,
            "a batch of 4 examples and 5 classes",
            (rng.standard_normal((4, 5)), np.array([4, 0, 2, 2])),
            hidden=False,
        ),
        Case(
            fn,
            "a batch of 8 examples and 10 classes",
            (3 * rng.standard_normal((8, 10)), rng.integers(0, 10, 8)),
        ),
        Case(
            fn,
            "as many examples as classes, logits (3, 3)",
            (rng.standard_normal((3, 3)), np.array([2, 0, 1])),
            tags={"square"},
        ),
        Case(
            fn,
            "large logits (about ±1000)",
            (np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]]), np.array([0, 2])),
            tags={"large"},
        ),
        Case(
            fn,
            "confidently wrong predictions (the true class is 800 below the best)",
            (np.array([[0.0, 800.0], [800.0, 0.0]]), np.array([0, 1])),
            tags={"underflow"},
        ),
        Case(
            fn,
            "a confidently right prediction (loss close to 0)",
            (np.array([[50.0, 0.0, 0.0]]), np.array([0])),
            atol=1e-12,
        ),
        Case(
            fn,
            "ties: all logits equal",
            (np.zeros((3, 4)), np.array([0, 1, 3])),
            tags={"ties"},
        ),
        Case(
            fn,
            "a single class, logits (3, 1)",
            (rng.standard_normal((3, 1)), np.zeros(3, dtype=np.int64)),
            tags={"single_class"},
        ),
        Case(
            fn,
            "one example, logits (1, 4)",
            (rng.standard_normal((1, 4)), np.array([3])),
            tags={"n1"},
        ),
        Case(
            fn,
            "float32 logits, shape (4, 3)",
            (rng.standard_normal((4, 3)).astype(np.float32), np.array([0, 1, 2, 1])),
            tags={"float32"},
            check_dtype=fn == "cross_entropy_grad",
            **f32,
        ),
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
    cases=ce_cases("cross_entropy", 5),
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
