"""Exercise 09, the two-layer network: ``two_layer_loss(params, X, y, reg) -> (loss, grads)``.

Architecture ``affine - ReLU - affine - softmax``; ``params`` and ``grads`` hold ``W1 (D, H)``,
``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``; the loss is the mean cross-entropy plus
``reg * (sum(W1**2) + sum(W2**2))``. Reference: :func:`ce_course.two_layer_loss`.

Weights (of 58 points): 54 for the cases (3 each, 5 for large scores, 1 for the ``y=None``
scores; each case shared equally by the loss and the four gradients), 3 for vectorized code, 1
for leaving ``params`` unchanged (its arrays and its keys). The ``0.5 * reg`` convention is named
once and costs 10%.
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
    global_softmax,
    log_softmax_np,
    matmul_hint,
    naive_softmax,
    one_hot_np,
    pick,
    softmax_np,
)

__all__ = ["EXERCISE"]

_KEYS = ("W1", "b1", "W2", "b2")


def _net(
    *,
    mask: str = "pre",
    loss_reg: float = 1.0,
    grad_reg: float = 2.0,
    reg_bias: bool = False,
    mean: bool = True,
    dW2_pre: bool = False,
    db_axis: int | None = 0,
    use_x: bool = True,
    reg_in_dW1: bool = True,
    softmax=softmax_np,
    log_of_probs: bool = False,
    lse_no_shift: bool = False,
):
    """A two-layer loss with one deliberate mistake, chosen by the keyword arguments."""

    def loss_fn(params, X, y, reg=0.0):
        W1, b1, W2, b2 = (params[k] for k in _KEYS)
        pre = X @ W1 + b1
        hidden = np.maximum(0, pre)
        z = hidden @ W2 + b2
        N = X.shape[0]
        if lse_no_shift:
            data = np.mean(np.log(np.exp(z).sum(axis=1)) - pick(z, y))
        elif softmax is naive_softmax or log_of_probs:
            data = -np.mean(np.log(pick(softmax(z), y)))
        else:
            data = -np.mean(pick(log_softmax_np(z), y))
        G = (softmax(z) - one_hot_np(y, W2.shape[1])) / N
        if not mean:
            data, G = data * N, G * N
        loss = data + loss_reg * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        if reg_bias:
            loss = loss + reg * (np.sum(b1 * b1) + np.sum(b2 * b2))
        dW2 = (pre if dW2_pre else hidden).T @ G + grad_reg * reg * W2
        dhidden = G @ W2.T
        if mask == "pre":
            dhidden = dhidden * (pre > 0)
        elif mask == "no-bias":
            dhidden = dhidden * (X @ W1 > 0)
        elif mask == "grad":
            dhidden = dhidden * (dhidden > 0)
        dW1 = X.T @ dhidden if use_x else dhidden
        if reg_in_dW1:
            dW1 = dW1 + grad_reg * reg * W1
        if db_axis is None:
            db1, db2 = dhidden, G
        else:
            db1, db2 = dhidden.sum(axis=db_axis), G.sum(axis=db_axis)
        if reg_bias:
            db1, db2 = db1 + 2 * reg * b1, db2 + 2 * reg * b2
        return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    return loss_fn


def _no_b1(params, X, y, reg=0.0):
    p = dict(params)
    p["b1"] = np.zeros_like(params["b1"])
    loss, grads = ce_course.two_layer_loss(p, X, y, reg)
    return loss, grads


def _params(D, H, C, *, rng, std=0.1, bias=0.0):
    return {
        "W1": std * rng.standard_normal((D, H)),
        "b1": bias * rng.standard_normal(H),
        "W2": std * rng.standard_normal((H, C)),
        "b2": bias * rng.standard_normal(C),
    }


def _kind(
    kind, label, D, H, C, N, reg, *, std=0.1, bias=0.0, tags=(), dead=0, scores=False, points=3
):
    """A kind of case: normal parameters of scale ``std`` (biases ``bias``), normal inputs."""

    def make(rng):
        params = _params(D, H, C, rng=rng, std=std, bias=bias)
        X = rng.standard_normal((N, D))
        if dead:
            X = np.abs(X)
            params["W1"][:, :dead] = -np.abs(params["W1"][:, :dead])
            params["b1"][:dead] = -np.abs(params["b1"][:dead]) - 0.1
        if scores:
            return (params, X)
        return params, X, rng.integers(0, C, N), reg

    return CaseKind(
        kind,
        label,
        make,
        points=1 if scores else points,
        tags=frozenset(tags),
        parts=(Part("scores"),) if scores else None,
    )


KINDS = (
    _kind("basic", "D = 4, H = 10, C = 3, N = 5, reg = 0", 4, 10, 3, 5, 0.0),
    _kind("reg", "the same sizes with reg = 0.05", 4, 10, 3, 5, 0.05),
    _kind("biases", "non-zero biases, reg = 0.1", 3, 6, 4, 7, 0.1, std=0.5, bias=1.0),
    _kind("n1", "one example (N = 1), reg = 0.2", 4, 5, 3, 1, 0.2, std=0.5, bias=0.5, tags={"n1"}),
    _kind(
        "dead",
        "some hidden units never active (dead ReLUs), reg = 0.05",
        3,
        6,
        3,
        6,
        0.05,
        std=0.5,
        bias=0.3,
        dead=3,
    ),
    _kind(
        "large",
        "large scores (about ±1000)",
        3,
        5,
        4,
        6,
        0.0,
        std=20.0,
        bias=5.0,
        tags={"large"},
        points=5,
    ),
    _kind(
        "square",
        "equal sizes D = H = C = N = 4, reg = 0.1",
        4,
        4,
        4,
        4,
        0.1,
        std=0.5,
        bias=0.5,
        tags={"square"},
    ),
    _kind("bigger", "reg = 0.5, N = 8, D = 3, H = 6, C = 5", 3, 6, 5, 8, 0.5, std=0.3, bias=0.2),
    _kind(
        "scores",
        "y = None: returns the scores (N, C), non-zero biases",
        4,
        6,
        3,
        5,
        0.0,
        std=0.5,
        bias=1.0,
        scores=True,
    ),
)


NET = Question(
    function="two_layer_loss",
    title="loss and gradients of the network affine - ReLU - affine - softmax",
    allowed=ALLOWED_FROM_EARLIER["09"],
    reference=lambda params, X, y=None, reg=0.0: ce_course.two_layer_loss(params, X, y, reg),
    parts=(
        Part("loss", (0,)),
        Part("grads['W1']", (1, "W1")),
        Part("grads['b1']", (1, "b1")),
        Part("grads['W2']", (1, "W2")),
        Part("grads['b2']", (1, "b2")),
    ),
    kinds=KINDS,
    cases=[],
    vectorized=("X", "y"),
    loop_points=3.0,
    mistakes=(
        Mistake(
            "no-relu-mask",
            "the ReLU backward pass is missing: zero the upstream gradient where the "
            "pre-activation X @ W1 + b1 was ≤ 0 (dhidden[pre <= 0] = 0)",
            _net(mask="none"),
            parts=("grads['W1']", "grads['b1']"),
        ),
        Mistake(
            "relu-mask-no-bias",
            "the ReLU mask must come from the pre-activation with its bias, X @ W1 + b1 > 0",
            _net(mask="no-bias"),
            parts=("grads['W1']", "grads['b1']"),
        ),
        Mistake(
            "relu-mask-from-gradient",
            "the ReLU mask must come from the forward pass (pre-activation > 0), not from the "
            "sign of the upstream gradient",
            _net(mask="grad"),
            parts=("grads['W1']", "grads['b1']"),
        ),
        Mistake(
            "reg-W",
            "the gradient of reg*sum(W**2) is 2*reg*W, not reg*W",
            _net(grad_reg=1.0),
            parts=("grads['W1']", "grads['W2']"),
        ),
        Mistake(
            "half-convention",
            "uses 0.5*reg*sum(W**2); this course's loss is reg*(sum(W1**2) + sum(W2**2)), whose "
            "gradient is 2*reg*W",
            _net(loss_reg=0.5, grad_reg=1.0),
            convention=0.1,
        ),
        Mistake(
            "no-reg-loss",
            "the loss is missing the regularization term reg*(sum(W1**2) + sum(W2**2))",
            _net(loss_reg=0.0),
            parts=("loss",),
        ),
        Mistake(
            "no-reg-grad",
            "the weight gradient is missing the regularization term 2*reg*W",
            _net(grad_reg=0.0),
            parts=("grads['W1']", "grads['W2']"),
        ),
        Mistake(
            "reg-biases",
            "regularizes the biases too; only W1 and W2 are regularized",
            _net(reg_bias=True),
            parts=("loss", "grads['b1']", "grads['b2']"),
        ),
        Mistake("global-max", GLOBAL_MAX_MESSAGE, _net(softmax=global_softmax)),
        Mistake(
            "no-b1",
            "the forward pass leaves out b1: the hidden layer is max(0, X @ W1 + b1)",
            _no_b1,
        ),
        Mistake(
            "sum-not-mean",
            "sums over the batch instead of averaging: divide the data loss and the gradients "
            "by N, the number of examples",
            _net(mean=False),
        ),
        Mistake(
            "dW2-pre-activation",
            "dW2 must use the ReLU output hidden = max(0, X @ W1 + b1), not the pre-activation",
            _net(dW2_pre=True),
            parts=("grads['W2']",),
        ),
        Mistake(
            "db-wrong-axis",
            "the bias gradient is summed over the wrong axis: sum over the batch, axis=0, "
            "one entry per unit",
            _net(db_axis=1),
            parts=("grads['b1']", "grads['b2']"),
        ),
        Mistake(
            "db-not-summed",
            "the bias gradient must be summed over the batch (axis=0), giving one entry per unit",
            _net(db_axis=None),
            parts=("grads['b1']", "grads['b2']"),
        ),
        Mistake(
            "dW1-no-X",
            "dW1 forgets the input X: dW1 = X.T @ dhidden (+ 2*reg*W1), of W1's shape (D, H)",
            _net(use_x=False),
            parts=("grads['W1']",),
        ),
        Mistake(
            "dW1-no-X-no-reg",
            "dW1 forgets the input X: dW1 = X.T @ dhidden (+ 2*reg*W1), of W1's shape (D, H)",
            _net(use_x=False, reg_in_dW1=False),
            parts=("grads['W1']",),
        ),
        Mistake(
            "lse-no-shift",
            "computes log(sum(exp(scores))) without subtracting the row maximum: np.exp "
            "overflows to inf for large scores; subtract each row's maximum first",
            _net(softmax=naive_softmax, lse_no_shift=True),
        ),
        Mistake(
            "no-max-shift",
            "computes the softmax without subtracting the maximum: np.exp overflows (inf, nan) "
            "for large scores; subtract each row's maximum first",
            _net(softmax=naive_softmax),
        ),
        Mistake(
            "log-of-softmax",
            "takes −log of a probability that underflows to 0 (inf) when a score is far below "
            "the others; compute the loss from the scores with log-sum-exp",
            _net(log_of_probs=True),
            parts=("loss",),
        ),
    ),
    error_hints=(
        INPUT_NOT_TRANSPOSED_HINT,
        matmul_hint("X (N, D), W1 (D, H), W2 (H, C)"),
        BROADCAST_HINT,
        ROW_INDEX_HINT,
        *PY2_HINTS,
    ),
    context=lambda case: {"N": case.args[1].shape[0], "C": case.args[0]["W2"].shape[1]},
    rtol=1e-7,
    atol=1e-10,
)

EXERCISE = Exercise("09_two_layer_net", "A two-layer network", [NET])
