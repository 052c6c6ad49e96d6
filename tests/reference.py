"""Independent oracles for the tests: the softmax family in 50-digit mpmath arithmetic.

Every reference takes the *exact* values of the floating-point inputs (a float32 input is widened
to float64 exactly, then to an mpmath number), evaluates the textbook definition with 50 significant
digits, and only rounds at the very end. Nothing here shifts by the maximum or calls the package.

The only subtle step is ``log p_j`` for a probability close to 1, where ``z_j - log(sum)`` would
cancel: there we use ``log p_j = -log1p(sum_{k != j} exp(z_k - z_j))``, which is exact
algebra, not a numerical trick of the code under test.

:func:`shift_rounding` is not a reference value: it measures how much rounding the subtraction
``z - max(z)`` of a floating-point implementation commits, which ``test_accuracy.py`` uses to
separate that inherited error from the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np

__all__ = [
    "MP",
    "mp_ce_grad_rows",
    "mp_ce_rows",
    "mp_log_softmax_row",
    "mp_softmax_row",
    "shift_rounding",
    "to_mp",
]

MP = mpmath.MPContext()
MP.dps = 50


def to_mp(row: Sequence[float] | np.ndarray) -> list:
    """Exact mpmath copies of the entries of a float16/32/64 row."""
    return [MP.mpf(float(v)) for v in np.asarray(row).ravel()]


def _exps(z: list) -> tuple[list, object]:
    e = [MP.exp(v) for v in z]
    return e, MP.fsum(e)


def mp_softmax_row(row: np.ndarray) -> list:
    """``exp(z_j) / sum(exp(z))`` for every ``j`` (mpmath exponents never overflow)."""
    e, s = _exps(to_mp(row))
    return [v / s for v in e]


def mp_log_softmax_row(row: np.ndarray) -> list:
    """``log softmax(z)_j`` for every ``j``, without cancellation for ``p_j`` near 1."""
    z = to_mp(row)
    e, s = _exps(z)
    out = []
    for j, ej in enumerate(e):
        p = ej / s
        if p <= 0.5:
            out.append(MP.log(p))
        else:
            rest = MP.fsum(MP.exp(z[k] - z[j]) for k in range(len(z)) if k != j)
            out.append(-MP.log1p(rest))
    return out


def _target_rows(logits: np.ndarray, target: np.ndarray, label_smoothing: float) -> list:
    """The target distribution of every row as mpmath numbers, smoothing applied exactly."""
    N, C = logits.shape
    eps = MP.mpf(float(label_smoothing))
    rows = []
    for i in range(N):
        if target.ndim == 1:
            q = [MP.mpf(1) if k == int(target[i]) else MP.mpf(0) for k in range(C)]
        else:
            q = to_mp(target[i])
        rows.append([(1 - eps) * v + eps / C for v in q])
    return rows


def mp_ce_rows(logits: np.ndarray, target: np.ndarray, label_smoothing: float = 0.0) -> list:
    """Per-row cross-entropy ``-sum_k q_k log p_k`` (``target``: indices (N,) or probs (N, C))."""
    logits = np.atleast_2d(logits)
    out = []
    for row, q in zip(logits, _target_rows(logits, target, label_smoothing), strict=True):
        logp = mp_log_softmax_row(row)
        out.append(-MP.fsum(qk * lk for qk, lk in zip(q, logp, strict=True) if qk != 0))
    return out


def mp_ce_grad_rows(logits: np.ndarray, target: np.ndarray, label_smoothing: float = 0.0) -> list:
    """``p - q`` row by row (the gradient of the per-row loss), as lists of mpmath numbers."""
    logits = np.atleast_2d(logits)
    out = []
    for row, q in zip(logits, _target_rows(logits, target, label_smoothing), strict=True):
        p = mp_softmax_row(row)
        out.append([pk - qk for pk, qk in zip(p, q, strict=True)])
    return out


def shift_rounding(row: np.ndarray) -> list:
    """Rounding errors ``|fl(z_k - m) - (z_k - m)|`` of the max-shift in the row's own dtype.

    Any implementation that exponentiates the shifted logits ``z - max(z)`` in floating point
    inherits these: ``exp`` turns an absolute error ``d`` of its argument into a relative error
    ``d`` of its result. They are 0 when the subtraction is exact (ties, integers, dyadic values,
    ``z_k`` within a factor 2 of ``m``) and at most half an ulp of ``z_k - m`` otherwise.
    """
    row = np.asarray(row)
    m = row.max()
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = row - m
    exact = [a - MP.mpf(float(m)) for a in to_mp(row)]
    return [abs(MP.mpf(float(s)) - e) for s, e in zip(shifted, exact, strict=True)]
