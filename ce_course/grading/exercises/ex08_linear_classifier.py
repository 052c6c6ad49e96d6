"""Exercise 08, the linear classifier: ``linear_softmax_loss(W, X, y, reg) -> (loss, dW)``.

``loss`` is the mean cross-entropy of the scores ``X @ W`` plus ``reg * sum(W**2)``, and ``dW`` its
gradient, ``X.T @ (P - Y) / N + 2 * reg * W``. Reference: :func:`ce_course.linear_softmax_loss`.

Weights (of 45 points): 40 for the cases (2 each, one public and one hidden per kind; a third
of each case for ``loss`` and two thirds for ``dW``), of which 12 for scores that overflow or
underflow careless code; 4 for vectorized code (no loop over examples or classes); 1 for
leaving ``W`` and ``X`` unchanged. The ``0.5 * reg`` convention is named once and costs 10%.
"""

from __future__ import annotations

import numpy as np

import ce_course

from ..spec import CaseKind, Exercise, Mistake, Part, Question
from ._common import (
    ALLOWED_FROM_EARLIER,
    BROADCAST_HINT,
    GLOBAL_MAX_MESSAGE,
    INPUT_NOT_TRANSPOSED_HINT,
    PY2_HINTS,
    ROW_INDEX_HINT,
    ZERO_LOG_ZERO_MESSAGE,
    global_softmax,
    log_softmax_np,
    matmul_hint,
    naive_softmax,
    one_hot_np,
    pick,
    softmax_np,
)

__all__ = ["EXERCISE", "SUM_MESSAGE"]

SUM_MESSAGE = (
    "sums over the batch instead of averaging: divide the data loss and its gradient by N, "
    "the number of examples"
)


def _pieces(W, X, y, softmax=softmax_np):
    z = X @ W
    N = X.shape[0]
    data = -np.mean(pick(log_softmax_np(z), y))
    G = (softmax(z) - one_hot_np(y, W.shape[1])) / N
    return data, G, N


def _variant(
    *, loss_reg=1.0, grad_reg=2.0, mean=True, grad_mean=True, use_x=True, softmax=softmax_np
):
    def loss_fn(W, X, y, reg=0.0):
        data, G, N = _pieces(W, X, y, softmax)
        if softmax is naive_softmax:
            data = -np.mean(np.log(pick(naive_softmax(X @ W), y)))
        if not mean:
            data, G = data * N, G * N
        if not grad_mean:
            G = G * N
        loss = data + loss_reg * reg * np.sum(W * W)
        dW = (X.T @ G if use_x else G) + grad_reg * reg * W
        return loss, dW

    return loss_fn


def _plain_penalty(W, X, y, reg=0.0):
    loss, dW = ce_course.linear_softmax_loss(W, X, y, reg)
    return loss - reg * np.sum(W * W) + np.sum(W * W), dW


def _precedence(factor):
    """``dW /= N + factor*reg*W``: the division takes the penalty into its denominator."""

    def loss_fn(W, X, y, reg=0.0):
        P = softmax_np(X @ W) - one_hot_np(y, W.shape[1])
        loss, _ = ce_course.linear_softmax_loss(W, X, y, reg)
        return loss, (X.T @ P) / (X.shape[0] + factor * reg * W)

    return loss_fn


def _scores_not_probs(W, X, y, reg=0.0):
    """``dscores = scores.copy()`` (shifted scores) where the softmax probabilities belong."""
    loss, _ = ce_course.linear_softmax_loss(W, X, y, reg)
    z = X @ W
    z = z - z.max(axis=1, keepdims=True)
    G = (z - one_hot_np(y, W.shape[1])) / X.shape[0]
    return loss, X.T @ G + 2 * reg * W


def _lse_no_shift(W, X, y, reg=0.0):
    z = X @ W
    N = X.shape[0]
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - pick(z, y)) + reg * np.sum(W * W)
    dW = X.T @ ((naive_softmax(z) - one_hot_np(y, W.shape[1])) / N) + 2 * reg * W
    return loss, dW


def _zero_log_zero(W, X, y, reg=0.0):
    _, dW = ce_course.linear_softmax_loss(W, X, y, reg)
    P = softmax_np(X @ W)
    data = -np.mean(np.sum(one_hot_np(y, W.shape[1]) * np.log(P), axis=1))
    return data + reg * np.sum(W * W), dW


def _no_x_no_reg(W, X, y, reg=0.0):
    data, G, _ = _pieces(W, X, y)
    return data + reg * np.sum(W * W), G


def _log_of_softmax(W, X, y, reg=0.0):
    _, dW = ce_course.linear_softmax_loss(W, X, y, reg)
    return -np.mean(np.log(pick(softmax_np(X @ W), y))) + reg * np.sum(W * W), dW


def _kind(kind, label, D, C, N, reg, *, w_scale=0.1, x_scale=1.0, tags=(), shape=None, **kw):
    """A kind of case: ``W (D, C)`` and ``X (N, D)`` normal, scaled, labels uniform."""

    def make(rng):
        W = w_scale * rng.standard_normal((D, C))
        X = x_scale * rng.standard_normal((N, D))
        if shape is not None:
            W, X = shape(rng, W, X)
        return W, X, rng.integers(0, C, N), reg

    return CaseKind(kind, label, make, points=2, tags=frozenset(tags), **kw)


def _close_columns(rng, W, X):
    """Scores of about ±1000 that differ little between classes: no underflow, only overflow."""
    W = W[:, :1] + 0.002 * rng.standard_normal(W.shape)
    return W, X


def _one_loud_row(rng, W, X):
    """One example with scores of about ±1000, the others ordinary."""
    X = X.copy()
    X[0] *= 400.0
    return W, X


KINDS = (
    _kind("basic", "D = 3 features, C = 4 classes, N = 5 examples, reg = 0", 3, 4, 5, 0.0),
    _kind("reg", "the same sizes with reg = 0.1", 3, 4, 5, 0.1),
    _kind(
        "bigger", "reg = 0.5, N = 10, D = 6, C = 3, weights of size 1", 6, 3, 10, 0.5, w_scale=1.0
    ),
    _kind(
        "square",
        "as many examples as features (N = D = 4), reg = 0.05",
        4,
        4,
        4,
        0.05,
        tags={"square"},
    ),
    _kind("n1", "one example (N = 1), reg = 0.2", 5, 3, 1, 0.2, tags={"n1"}),
    _kind(
        "large",
        "large scores (about ±1000), reg = 0.01",
        3,
        4,
        6,
        0.01,
        w_scale=1.0,
        x_scale=400.0,
        tags={"large"},
    ),
    _kind(
        "large-close",
        "large scores (about ±1000) that are close within each row, reg = 0",
        3,
        4,
        6,
        0.0,
        w_scale=1.0,
        x_scale=600.0,
        tags={"large"},
        shape=_close_columns,
    ),
    _kind(
        "offsets",
        "one example with scores of about ±1000, the others ordinary, reg = 0",
        3,
        4,
        5,
        0.0,
        w_scale=1.0,
        tags={"large"},
        shape=_one_loud_row,
    ),
    _kind("c1", "a single class (C = 1), reg = 0.3", 4, 1, 5, 0.3, tags={"single_class"}),
    _kind("zero", "zero weights (the loss is log C), reg = 0.1", 4, 5, 7, 0.1, w_scale=0.0),
)


LINEAR = Question(
    function="linear_softmax_loss",
    title="loss and weight gradient of a linear softmax classifier with L2 regularization",
    allowed=ALLOWED_FROM_EARLIER["08"],
    reference=lambda W, X, y, reg=0.0: ce_course.linear_softmax_loss(W, X, y, reg),
    parts=(Part("loss", (0,), 1.0), Part("dW", (1,), 2.0)),
    kinds=KINDS,
    cases=[],
    vectorized=("X", "y"),
    class_axes={"W": 1},
    loop_points=4.0,
    mistakes=(
        Mistake(
            "reg-W",
            "the gradient of reg*sum(W**2) is 2*reg*W, not reg*W",
            _variant(grad_reg=1.0),
            parts=("dW",),
        ),
        Mistake(
            "half-convention",
            "uses 0.5*reg*sum(W**2); this course's loss is reg*sum(W**2), whose gradient is "
            "2*reg*W",
            _variant(loss_reg=0.5, grad_reg=1.0),
            convention=0.1,
        ),
        Mistake(
            "reg-factor-missing",
            "adds np.sum(W * W) without the factor reg: the penalty is reg * np.sum(W * W)",
            _plain_penalty,
            parts=("loss",),
        ),
        Mistake(
            "precedence",
            "dW /= N + reg*W divides by (N + reg*W): operator precedence; divide the data "
            "gradient by N first, then add 2*reg*W",
            _precedence(1.0),
            parts=("dW",),
        ),
        Mistake(
            "precedence-2reg",
            "dW /= N + 2*reg*W divides by (N + 2*reg*W): operator precedence; divide the data "
            "gradient by N first, then add 2*reg*W",
            _precedence(2.0),
            parts=("dW",),
        ),
        Mistake(
            "reg-W-no-mean",
            "two mistakes in dW: it forgets to divide by N (the loss is a mean over the batch, "
            "so is its gradient), and the gradient of reg*sum(W**2) is 2*reg*W, not reg*W",
            _variant(grad_reg=1.0, grad_mean=False),
            parts=("dW",),
        ),
        Mistake(
            "no-softmax",
            "dW starts from the scores instead of the softmax probabilities: the gradient of "
            "the scores is (P − Y) / N with P = softmax(scores)",
            _scores_not_probs,
            parts=("dW",),
        ),
        Mistake(
            "lse-no-shift",
            "computes log(sum(exp(scores))) without subtracting the row maximum: np.exp "
            "overflows to inf for large scores; subtract each row's maximum first",
            _lse_no_shift,
        ),
        Mistake("global-max", GLOBAL_MAX_MESSAGE, _variant(softmax=global_softmax)),
        Mistake("zero-log-zero", ZERO_LOG_ZERO_MESSAGE, _zero_log_zero, parts=("loss",)),
        Mistake(
            "no-reg-loss",
            "the loss is missing the regularization term reg*sum(W**2)",
            _variant(loss_reg=0.0),
            parts=("loss",),
        ),
        Mistake(
            "reg-sign",
            "subtracts the penalty: the loss adds reg*sum(W**2) and dW adds 2*reg*W",
            _variant(loss_reg=-1.0, grad_reg=-2.0),
        ),
        Mistake(
            "no-reg-grad",
            "dW is missing the regularization gradient 2*reg*W",
            _variant(grad_reg=0.0),
            parts=("dW",),
        ),
        Mistake(
            "dW-no-mean",
            "dW forgets to divide by N: the loss is a mean over the batch, so is its gradient",
            _variant(grad_mean=False),
            parts=("dW",),
        ),
        Mistake("sum-not-mean", SUM_MESSAGE, _variant(mean=False)),
        Mistake(
            "no-X",
            "dW forgets the input X: by the chain rule through the scores X @ W, "
            "dW = X.T @ (P − Y) / N + 2*reg*W, of W's shape (D, C)",
            _variant(use_x=False),
            parts=("dW",),
        ),
        Mistake(
            "no-X-no-reg",
            "dW forgets the input X: by the chain rule through the scores X @ W, "
            "dW = X.T @ (P − Y) / N + 2*reg*W, of W's shape (D, C)",
            _no_x_no_reg,
            parts=("dW",),
        ),
        Mistake(
            "no-max-shift",
            "computes the softmax without subtracting the maximum: np.exp overflows (inf, nan) "
            "for large scores; subtract each row's maximum first",
            _variant(softmax=naive_softmax),
        ),
        Mistake(
            "log-of-softmax",
            "takes −log of a probability that underflows to 0 (inf) when a score is far below "
            "the others; compute the loss from the scores with log-sum-exp",
            _log_of_softmax,
            parts=("loss",),
        ),
    ),
    error_hints=(
        INPUT_NOT_TRANSPOSED_HINT,
        matmul_hint("scores = X @ W is (N, C), dW = X.T @ dscores is (D, C)"),
        BROADCAST_HINT,
        ROW_INDEX_HINT,
        *PY2_HINTS,
    ),
    context=lambda case: {"N": case.args[1].shape[0], "C": case.args[0].shape[1]},
    rtol=1e-7,
    atol=1e-10,
)

EXERCISE = Exercise("08_linear_classifier", "A linear softmax classifier", [LINEAR])
