"""Exercise 10, cross-entropy at language-model scale: the blocked forward and backward passes.

The logits are ``Z = H @ W`` with ``H (N, D)`` and ``W (D, V)``; the learner never forms them
whole. Two graded functions:

* ``linear_ce_forward(H, W, y, block_size) -> (loss, lse)``: the mean cross-entropy and each row's
  log-sum-exp ``lse (N,)``, from blocks ``W[:, start:start + block_size]`` of the vocabulary with
  an online (running maximum, rescaled sum) log-sum-exp;
* ``linear_ce_backward(H, W, y, lse, block_size) -> (dH, dW)``: the gradients
  ``dH = G @ W.T`` ``(N, D)`` and ``dW = H.T @ G`` ``(D, V)`` with ``G = (P - Y) / N``, built
  block by block, each block's ``P = exp(Z_block - lse[:, None])`` recomputed from the saved lse.

References: :func:`ce_course.linear_cross_entropy` (loss and gradients) and
:func:`ce_course.logsumexp` applied per block, the block results merged by a second
:func:`ce_course.logsumexp` (the lse), so that no reference forms an ``(N, V)`` array either.

One hidden case has N = 192 rows and a vocabulary of 2**18 words: its full float64 logits take
384 MiB. The textbook forward pass holds about three such arrays and the backward pass two, so
under a memory limit below about 850 MiB (the grader's tests use 768) either fails with a
``MemoryError`` on that case, whose label names the cause. The forward pass is caught up to about
1.2 GiB; at the default limit of 2048 MiB neither is (``--memory-limit 768`` enforces it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import ce_course

from ..guard import REFERENCE_NAMES
from ..spec import Case, ErrorHint, Exercise, Mistake, Part, Question
from ._common import ALLOWED_FROM_EARLIER, lse_np, one_hot_np

__all__ = ["EXERCISE"]

_ALLOWED = frozenset(
    ALLOWED_FROM_EARLIER["09"] | ({"two_layer_loss", "TwoLayerNet"} & REFERENCE_NAMES)
)
_MISTAKE_LIMIT = 1 << 20
"""Known mistakes are not run on cases with more logits than this (the big case): too slow."""

_BIG = {"N": 192, "D": 4, "V": 1 << 18, "block": 16384}


def _blocks(V: int, block_size: int):
    for start in range(0, V, block_size):
        yield start, min(start + block_size, V)


def _check_size(H: np.ndarray, W: np.ndarray) -> None:
    if H.shape[0] * W.shape[1] > _MISTAKE_LIMIT:
        raise ValueError("a mistake model does not run on the big case")


# ---------------------------------------------------------------------------------------------
# References


def _ref_lse(H: np.ndarray, W: np.ndarray, block_size: int) -> np.ndarray:
    """Each row's log-sum-exp, by blocks: ``logsumexp`` of the per-block ``logsumexp``."""
    per_block = [
        ce_course.logsumexp(H @ W[:, a:b], axis=1) for a, b in _blocks(W.shape[1], block_size)
    ]
    return ce_course.logsumexp(np.stack(per_block, axis=1), axis=1)


def _ref_forward(H, W, y, block_size):
    loss, _ = ce_course.linear_cross_entropy(H, W, y, block_size=block_size)
    return loss, _ref_lse(H, W, block_size).astype(np.result_type(H, W), copy=False)


def _ref_backward(H, W, y, lse, block_size):
    _, grads = ce_course.linear_cross_entropy(H, W, y, block_size=block_size)
    return grads["H"], grads["W"]


# ---------------------------------------------------------------------------------------------
# Known mistakes of the forward pass


def _forward(*, update: str = "online", target: bool = True, mean: bool = True, init: str = "inf"):
    """A blocked forward pass with one deliberate mistake in its running log-sum-exp.

    ``update`` is ``"online"`` (correct), ``"no-rescale"`` (old sum not multiplied by
    ``exp(m - m_new)``), ``"wrong-sign"`` (multiplied by ``exp(m_new - m)``), ``"block-max"``
    (each block shifted by its own maximum, added to the running sum as is) or ``"reset"`` (the
    running sum overwritten by each block's). ``init="first"`` starts from the first block instead
    of ``m = -inf, s = 0``.
    """

    def forward(H, W, y, block_size):
        _check_size(H, W)
        N, V = H.shape[0], W.shape[1]
        m = np.full(N, -np.inf)
        s = np.zeros(N)
        z_y = np.zeros(N)
        rows = np.arange(N)
        for k, (a, b) in enumerate(_blocks(V, block_size)):
            Z = H @ W[:, a:b]
            inside = (y >= a) & (y < b)
            z_y[inside] = Z[rows[inside], y[inside] - a]
            block_max = Z.max(axis=1)
            m_new = np.maximum(m, block_max)
            if k == 0 and init == "first":
                m, s = block_max, np.exp(Z - block_max[:, None]).sum(axis=1)
                continue
            if update == "online":
                s = s * np.exp(m - m_new) + np.exp(Z - m_new[:, None]).sum(axis=1)
            elif update == "no-rescale":
                s = s + np.exp(Z - m_new[:, None]).sum(axis=1)
            elif update == "wrong-sign":
                s = s * np.exp(m_new - m) + np.exp(Z - m_new[:, None]).sum(axis=1)
            elif update == "block-max":
                s = s + np.exp(Z - block_max[:, None]).sum(axis=1)
            elif update == "reset":
                s = np.exp(Z - m_new[:, None]).sum(axis=1)
            m = m_new
        lse = m + np.log(s)
        per_row = lse - z_y if target else lse
        return (per_row.mean() if mean else per_row.sum()), lse

    return forward


# ---------------------------------------------------------------------------------------------
# Known mistakes of the backward pass


def _backward(
    *,
    scale: str = "mean",
    targets: bool = True,
    sign: int = 1,
    accumulate: bool = True,
    transpose_dH: bool = False,
    transpose_dW: bool = False,
    block_softmax: bool = False,
) -> Callable:
    """A blocked backward pass with one deliberate mistake, chosen by the keyword arguments."""

    def backward(H, W, y, lse, block_size):
        _check_size(H, W)
        N, V = H.shape[0], W.shape[1]
        dH = np.zeros((N, H.shape[1]))
        dW = np.zeros(W.shape)
        for a, b in _blocks(V, block_size):
            Z = H @ W[:, a:b]
            if block_softmax:
                P = np.exp(Z - lse_np(Z)[:, None])
            else:
                P = np.exp(Z - lse[:, None])
            Y = one_hot_np(y, V)[:, a:b]
            G = (P - Y if targets else P) * sign
            if scale == "mean":
                G = G / N
            elif scale == "twice":
                G = G / N / N
            contribution = G @ W[:, a:b] if transpose_dH else G @ W[:, a:b].T
            dH = dH + contribution if accumulate else contribution
            dW[:, a:b] = G.T @ H if transpose_dW else H.T @ G
        return dH, dW

    return backward


# ---------------------------------------------------------------------------------------------
# Cases


def _inputs(N, D, V, *, seed, scale=1.0, dtype=np.float64, grow=0.0):
    """``H (N, D)``, ``W (D, V)``, labels ``y (N,)``; ``grow`` makes later columns larger.

    With ``grow > 0`` the logits tend to increase from block to block, so that the running maximum
    changes often (what the online update must get right).
    """
    rng = np.random.default_rng(seed)
    H = scale * rng.standard_normal((N, D))
    W = rng.standard_normal((D, V))
    W[0] += grow * np.linspace(0.0, 1.0, V)
    H[:, 0] = np.abs(H[:, 0]) + (scale if grow else 0.0)
    y = rng.integers(0, V, N)
    return H.astype(dtype), W.astype(dtype), y


_CASES = [
    # label, (N, D, V, block), options, hidden, tags
    (
        "N = 5, D = 3, V = 11 in blocks of 4 (the last block has 3 columns)",
        (5, 3, 11, 4),
        {},
        False,
        (),
    ),
    ("N = 4, D = 2, V = 8, one block of 8", (4, 2, 8, 8), {"seed": 2}, False, ()),
    ("logits that grow from block to block", (6, 3, 24, 5), {"grow": 4.0}, False, ()),
    ("block_size = 1: one column at a time", (3, 2, 6, 1), {"grow": 2.0}, True, ()),
    ("block_size larger than V", (4, 3, 7, 100), {}, True, ()),
    ("one example (N = 1), V = 10 in blocks of 3", (1, 4, 10, 3), {"grow": 3.0}, True, {"n1"}),
    ("large logits (about ±1000)", (5, 3, 12, 5), {"scale": 300.0, "grow": 3.0}, True, {"large"}),
    ("equal sizes N = D = V = 4, blocks of 4", (4, 4, 4, 4), {"scale": 1.5}, True, {"square"}),
    ("N = 8, D = 5, V = 50 in blocks of 16", (8, 5, 50, 16), {"grow": 1.0}, True, ()),
]


def _seed(shape: tuple[int, ...], options: dict, question: int) -> int:
    return int(options.get("seed", 0)) + 100 * question + sum(shape)


def _forward_cases() -> list[Case]:
    cases = []
    for label, (N, D, V, block), options, hidden, tags in _CASES:
        opts = {k: v for k, v in options.items() if k != "seed"}
        H, W, y = _inputs(N, D, V, seed=_seed((N, D, V, block), options, 1), **opts)
        cases.append(
            Case("linear_ce_forward", label, (H, W, y, block), points=2, hidden=hidden, tags=tags)
        )
    H, W, y = _inputs(6, 4, 20, seed=1010, scale=3.0, dtype=np.float32, grow=2.0)
    cases.append(
        Case(
            "linear_ce_forward",
            "float32 inputs (the outputs stay float32)",
            (H, W, y, 6),
            points=2,
            tags={"float32"},
            rtol=1e-4,
            atol=1e-5,
            check_dtype=True,
        )
    )
    H, W, y = _inputs(_BIG["N"], _BIG["D"], _BIG["V"], seed=1011)
    cases.append(
        Case(
            "linear_ce_forward",
            f"a vocabulary of V = {_BIG['V']} words in blocks of {_BIG['block']}: the full "
            f"(N, V) float64 logits would take {_BIG['N'] * _BIG['V'] * 8 // 2**20} MiB, so never form "
            "an (N, V) array",
            (H, W, y, _BIG["block"]),
            points=2,
            tags={"big"},
        )
    )
    return cases


def _backward_cases() -> list[Case]:
    cases = []
    for forward_case in _forward_cases():
        H, W, y, block = forward_case.args
        lse = _ref_lse(H, W, block).astype(H.dtype)
        cases.append(
            Case(
                "linear_ce_backward",
                forward_case.label,
                (H, W, y, lse, block),
                points=forward_case.points,
                hidden=forward_case.hidden,
                tags=forward_case.tags,
                rtol=forward_case.rtol,
                atol=forward_case.atol,
                check_dtype=forward_case.check_dtype,
            )
        )
    return cases


_INDEX_HINT = ErrorHint(
    "the label y[i] is a column of the whole vocabulary; inside the block [start, stop) it is "
    "column y[i] - start, and only rows with start <= y[i] < stop have their label there",
    types=("IndexError",),
)
_BROADCAST_HINT = ErrorHint(
    "check the shapes: the block of dW, dW[:, start:stop], is (D, B) = H.T @ G; dH is (N, D)",
    types=("ValueError",),
    not_line=r"@|\.dot\(|matmul",
)
_MATMUL_HINT = ErrorHint(
    "check the shapes: Z_block = H @ W[:, start:stop] is (N, B); dH += G @ W[:, start:stop].T is "
    "(N, D); dW[:, start:stop] = H.T @ G is (D, B)",
    types=("ValueError",),
    line=r"@|\.dot\(|matmul",
)


def _context(case: Case) -> dict[str, int]:
    return {"N": case.args[0].shape[0], "C": case.args[1].shape[1]}


FORWARD = Question(
    function="linear_ce_forward",
    title="the mean cross-entropy of H @ W and each row's log-sum-exp, block by block",
    allowed=_ALLOWED,
    reference=_ref_forward,
    parts=(Part("loss", (0,)), Part("lse", (1,))),
    cases=_forward_cases(),
    mistakes=(
        Mistake(
            "no-rescale",
            "forgets to rescale the running sum when the running maximum grows: the old terms "
            "were shifted by the old maximum m, so s must become "
            "s * exp(m - m_new) + sum(exp(z - m_new)) before m = m_new",
            _forward(update="no-rescale"),
        ),
        Mistake(
            "no-rescale-first-block",
            "forgets to rescale the running sum when the running maximum grows: the old terms "
            "were shifted by the old maximum m, so s must become "
            "s * exp(m - m_new) + sum(exp(z - m_new)) before m = m_new",
            _forward(update="no-rescale", init="first"),
        ),
        Mistake(
            "wrong-sign",
            "the rescaling factor has the wrong sign: when the maximum grows from m to m_new the "
            "old terms shrink, s * exp(m - m_new) (a factor <= 1), not s * exp(m_new - m)",
            _forward(update="wrong-sign"),
        ),
        Mistake(
            "wrong-sign-first-block",
            "the rescaling factor has the wrong sign: when the maximum grows from m to m_new the "
            "old terms shrink, s * exp(m - m_new) (a factor <= 1), not s * exp(m_new - m)",
            _forward(update="wrong-sign", init="first"),
        ),
        Mistake(
            "block-max-only",
            "shifts each block by its own maximum and adds the block sums as they are: sums "
            "shifted by different maxima cannot be added; keep one running maximum m and shift "
            "every term by it (rescaling the old sum when m grows)",
            _forward(update="block-max"),
            parts=("loss", "lse"),
        ),
        Mistake(
            "reset-sum",
            "overwrites the running sum with each block's sum, so only the last block counts: "
            "add the block's terms to the (rescaled) running sum",
            _forward(update="reset"),
        ),
        Mistake(
            "no-target-logit",
            "the loss is missing the target logit: each row's loss is lse - z[i, y[i]], with "
            "z[i, y[i]] = H[i] @ W[:, y[i]], taken from the block that holds y[i]",
            _forward(target=False),
            parts=("loss",),
        ),
        Mistake(
            "sum-not-mean",
            "sums the per-row losses instead of averaging them: divide by N, the number of rows",
            _forward(mean=False),
            parts=("loss",),
        ),
    ),
    error_hints=(_INDEX_HINT, _MATMUL_HINT, _BROADCAST_HINT),
    context=_context,
    rtol=1e-9,
    atol=1e-12,
)

BACKWARD = Question(
    function="linear_ce_backward",
    title="the gradients dH = G W^T and dW = H^T G, G = (P - Y)/N, block by block",
    allowed=_ALLOWED,
    reference=_ref_backward,
    parts=(Part("dH", (0,)), Part("dW", (1,))),
    cases=_backward_cases(),
    mistakes=(
        Mistake(
            "mean-twice",
            "divides by N twice: G = (P - Y) / N already holds the mean's 1/N, and dH = G @ W.T, "
            "dW = H.T @ G need no other",
            _backward(scale="twice"),
        ),
        Mistake(
            "no-mean",
            "forgets to divide by N: the loss is a mean over the N rows, so G = (P - Y) / N",
            _backward(scale="none"),
        ),
        Mistake(
            "no-targets",
            "forgets to subtract the targets Y: in each block, subtract 1 at (i, y[i] - start) for "
            "the rows whose label falls in that block, G = (P - Y) / N",
            _backward(targets=False),
        ),
        Mistake(
            "sign",
            "has the sign flipped: the gradient of the logits is (P - Y) / N, not (Y - P) / N",
            _backward(sign=-1),
        ),
        Mistake(
            "dH-not-accumulated",
            "keeps only the last block's contribution to dH: every block of the vocabulary "
            "contributes, dH += G_block @ W[:, start:stop].T",
            _backward(accumulate=False),
            parts=("dH",),
        ),
        Mistake(
            "block-softmax",
            "normalises P within each block (a softmax over the block's columns only): P must be "
            "exp(Z_block - lse[:, None]) with the saved lse of the whole row",
            _backward(block_softmax=True),
        ),
        Mistake(
            "transpose-dH",
            "dH multiplies G by W[:, start:stop] without transposing it: dH += G @ W_block.T, "
            "(N, B) @ (B, D) = (N, D)",
            _backward(transpose_dH=True),
            parts=("dH",),
        ),
        Mistake(
            "transpose-dW",
            "dW's block is G.T @ H, shape (B, D): it must be H.T @ G, shape (D, B)",
            _backward(transpose_dW=True),
            parts=("dW",),
        ),
    ),
    error_hints=(_INDEX_HINT, _MATMUL_HINT, _BROADCAST_HINT),
    context=_context,
    rtol=1e-9,
    atol=1e-14,
)

EXERCISE = Exercise("10_lm_scale", "Cross-entropy at language-model scale", [FORWARD, BACKWARD])
