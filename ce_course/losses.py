r"""Cross-entropy of softmax probabilities, its gradient, and the fused forward-backward pass.

All three public loss functions take the same arguments and share one implementation
(:func:`_softmax_ce`), so the loss, the gradient and the fused pass cannot disagree.

The loss of one row with logits :math:`z \in \mathbb{R}^C` and target distribution :math:`y` is

.. math::

    L(z, y) = -\sum_k y_k \log \mathrm{softmax}(z)_k = \sum_k y_k\,\bigl(\mathrm{LSE}(z) - z_k\bigr),

and its gradient with respect to the logits is :math:`p - y` (for :math:`\sum_k y_k = 1`).
The loss is computed as ``(m - z_k) + log1p(t)`` (see :mod:`ce_course.softmax`), a sum of two
non-negative terms, so it keeps full relative accuracy even for a confidently classified row whose
true loss is ``1e-17``: it is not rounded to 0.
"""

from __future__ import annotations

import contextvars
import math
import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_class_indices,
    check_probabilities,
    fmt_value,
)
from .softmax import _finite_shift

__all__ = [
    "cross_entropy",
    "cross_entropy_from_probs",
    "cross_entropy_grad",
    "one_hot",
    "softmax_cross_entropy",
]

Reduction = Literal["mean", "sum", "none"]
_REDUCTIONS = ("mean", "sum", "none")
# A batch of at least this many logits per thread is split among threads (at most _MAX_THREADS).
_MIN_LOGITS_PER_THREAD = 1 << 18
_MAX_THREADS = 8
# Rows are processed in blocks of about this many bytes, which stay in the cache between passes.
_BLOCK_BYTES = 1 << 20
# A batch of class labels with at most this many logits takes the whole-array path `_ce_small`.
_SMALL_LOGITS = 1 << 15
# log of the smallest normal number of each inexact dtype (np.finfo costs a microsecond a call).
_LOG_TINY = {
    np.dtype(t).char: float(np.log(np.finfo(t).tiny))
    for t in (np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128)
}


def one_hot(y: ArrayLike, num_classes: int, *, dtype: type = np.float64) -> np.ndarray:
    r"""One-hot encode class indices.

    Parameters
    ----------
    y : int or array_like of int, shape (...)
        Class indices in ``[0, num_classes)``; ``(N,)`` for a batch.
    num_classes : int
        The number of classes ``C``.
    dtype : data-type, default float64
        Dtype of the result.

    Returns
    -------
    Y : ndarray, shape (..., C)
        ``Y[..., k] = 1`` where ``k == y`` and 0 elsewhere.

    Notes
    -----
    :math:`Y_{ik} = \delta_{k, y_i}`. Loss code never needs this matrix (indexing the target
    column is cheaper), but it makes formulas such as :math:`(P - Y)/N` easy to read.

    Examples
    --------
    >>> from ce_course import one_hot
    >>> one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise ValueError(f"one_hot: num_classes must be a positive int, got {num_classes!r}")
    if num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive int, got {num_classes!r}")
    labels = check_class_indices(y, int(num_classes), "one_hot", "y")
    out = np.zeros((*labels.shape, int(num_classes)), dtype=dtype)
    np.put_along_axis(out, labels[..., np.newaxis], 1, axis=-1)
    return out


def _check_options(reduction: object, label_smoothing: object, fname: str) -> float:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{fname}: unknown reduction {reduction!r}; expected 'mean', 'sum' or 'none'"
        )
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real):
        raise ValueError(
            f"{fname}: label_smoothing must be a number in [0, 1], got {label_smoothing!r}"
        )
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(f"{fname}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


def _parse_target(
    target: ArrayLike, z: np.ndarray, fname: str
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Return ``(labels, probs)``: exactly one is set. ``z`` is the logits as given."""
    try:
        t = np.asarray(target)
    except (ValueError, TypeError):
        raise ValueError(
            f"{fname}: target is not an array of numbers ({fmt_value(target)})"
        ) from None
    if t.dtype.kind not in "biuf":
        raise ValueError(f"{fname}: target must hold numbers, got dtype {t.dtype}")
    C = z.shape[-1]
    if t.shape == z.shape:  # probabilities: soft, smoothed or one-hot targets
        probs = t.astype(z.real.dtype, copy=False)
        return None, check_probabilities(probs, z.shape, fname)
    if z.ndim == 1:
        if t.ndim != 0:
            raise ValueError(
                f"{fname}: for logits of shape {z.shape}, target must be one class index or "
                f"{C} probabilities, got shape {t.shape}"
            )
    elif t.shape != z.shape[:1]:
        if t.ndim == 1:
            raise ValueError(
                f"{fname}: batch sizes differ: logits have {z.shape[0]} rows but target has "
                f"{t.shape[0]} labels"
            )
        raise ValueError(
            f"{fname}: target must be class indices of shape ({z.shape[0]},) or probabilities of "
            f"shape {z.shape}, got shape {t.shape}"
        )
    return check_class_indices(t, C, fname, "target"), None


def _softmax_ce(*args: object, **kwargs: object) -> tuple[object, np.ndarray | None]:
    """:func:`_softmax_ce_quiet` inside ``np.errstate(all="ignore")``: IEEE specials (inf - inf,
    0/0, overflow of exp, underflow) follow the rules of :mod:`ce_course.softmax` without a
    warning, whatever error state the caller has set. Bad arguments still raise ValueError."""
    with np.errstate(all="ignore"):
        return _softmax_ce_quiet(*args, **kwargs)


def _softmax_ce_quiet(
    logits: ArrayLike,
    target: ArrayLike,
    reduction: object,
    label_smoothing: object,
    fname: str,
    *,
    need_loss: bool = True,
    need_grad: bool = True,
) -> tuple[np.generic | np.ndarray | None, np.ndarray | None]:
    """Shared implementation of the loss and its gradient; see the public functions."""
    eps_ls = _check_options(reduction, label_smoothing, fname)
    z = as_float_array(logits, fname, "logits")
    if z.ndim not in (1, 2):
        raise ValueError(f"{fname}: logits must have shape (C,) or (N, C), got shape {z.shape}")
    if z.shape[-1] == 0:
        raise ValueError(f"{fname}: logits have no classes (shape {z.shape})")
    labels, probs = _parse_target(target, z, fname)
    single = z.ndim == 1
    z2 = z[np.newaxis] if single else z
    N, C = z2.shape
    if reduction == "mean" and N == 0:
        raise ValueError(
            f"{fname}: the mean over an empty batch is undefined (logits shape {z.shape})"
        )
    if labels is not None:
        labels = labels.reshape(N)
    if probs is not None:
        probs = probs.reshape(N, C)
        if eps_ls:
            probs = (1 - eps_ls) * probs + eps_ls / C

    scale = 1.0 / N if reduction == "mean" else 1.0
    # exp(z) unshifted is safe in rows whose maximum lies in [0, hi]; see `_ce_rows`.
    hi = -_LOG_TINY[z2.dtype.char] - math.log(max(z2.size, 1)) - 1.0
    if labels is not None and z2.size <= _SMALL_LOGITS and z2.dtype.kind == "f" and N:
        small = _ce_small(z2, labels, eps_ls, scale, hi, need_loss, need_grad)
        if small is not None:  # None: a row with inf or nan, left to the general kernel
            loss_rows, buf = small
            return _reduce(loss_rows, buf, reduction, single, N)

    # Rows are independent: each chunk of rows is handled by `_ce_rows`, in threads for a large
    # batch (NumPy releases the GIL in its loops), writing into the arrays allocated here.
    loss_rows = np.empty(N, dtype=z2.dtype) if need_loss else None
    buf = np.empty(z2.shape, dtype=z2.dtype) if need_grad else None

    def fill(lo: int, up: int) -> None:
        # IEEE specials (inf - inf, 0/0, underflow) follow the rules of ce_course.softmax without
        # a warning, whatever np.errstate the caller set.
        with np.errstate(all="ignore"):
            _ce_rows_quiet(lo, up)

    def _ce_rows_quiet(lo: int, up: int) -> None:
        _ce_rows(
            z2[lo:up],
            None if labels is None else labels[lo:up],
            None if probs is None else probs[lo:up],
            eps_ls,
            scale,
            hi,
            None if loss_rows is None else loss_rows[lo:up],
            None if buf is None else buf[lo:up],
        )

    n_threads = _num_threads(N, z2.size)
    if n_threads == 1:
        fill(0, N)
    else:
        chunks = list(pairwise(N * i // n_threads for i in range(n_threads + 1)))
        pool = _thread_pool()
        # Each worker runs in a copy of the caller's context, so np.errstate applies there.
        futures = [
            pool.submit(contextvars.copy_context().run, fill, lo, up) for lo, up in chunks[1:]
        ]
        fill(*chunks[0])
        for future in futures:
            future.result()
    return _reduce(loss_rows, buf, reduction, single, N)


def _reduce(
    loss_rows: np.ndarray | None, buf: np.ndarray | None, reduction: object, single: bool, N: int
) -> tuple[np.generic | np.ndarray | None, np.ndarray | None]:
    """Apply the reduction to the rows' losses; drop the batch axis of a single example."""
    loss = None
    if loss_rows is not None:
        if reduction == "mean":
            loss = np.add.reduce(loss_rows) / N  # what ndarray.mean computes, without its overhead
            if not np.isfinite(loss) and np.isfinite(loss_rows).all():  # the sum overflowed
                loss = (loss_rows / N).sum()
        elif reduction == "sum":
            loss = np.add.reduce(loss_rows)
        else:
            loss = loss_rows[0] if single else loss_rows
    grad = None
    if buf is not None:
        grad = buf[0] if single else buf
    return loss, grad


_POOL: ThreadPoolExecutor | None = None


def _thread_pool() -> ThreadPoolExecutor:
    """One pool for the process, created on first use: starting threads per call costs ~0.1 ms."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_MAX_THREADS - 1, thread_name_prefix="ce_course")
    return _POOL


def _ce_small(
    z: np.ndarray,
    labels: np.ndarray,
    eps_ls: float,
    scale: float,
    hi: float,
    need_loss: bool,
    need_grad: bool,
) -> tuple[np.ndarray | None, np.ndarray | None] | None:
    """:func:`_ce_rows` for a small batch of class labels, with whole-array NumPy calls.

    The same formulas (shift by the row maximum, the maximum's term left out of the sum, the
    gradient at the arg max without cancellation), in about a third of the NumPy calls: at
    (64, 10) the fixed cost of each call dominates. Returns None when a row's maximum is not
    finite; the general kernel then applies the non-finite rule.
    """
    N, C = z.shape
    # Flat indices into the C-contiguous (N, C) arrays: take/put on them cost a third of
    # indexing with a pair of index arrays.
    base = np.arange(0, N * C, C)
    ib = z.argmax(axis=1)
    i_top = base + ib
    i_y = base + labels
    zf = z.reshape(-1)
    m = zf.take(i_top)
    lo_m, hi_m = m.min(), m.max()
    if not (math.isfinite(lo_m) and math.isfinite(hi_m)):  # inf or nan: the general kernel
        return None
    # The same shift c as `_ce_rows` (so that both give the same bits): 0 in a row whose
    # maximum is in [0, hi], else the maximum.
    direct = lo_m >= 0 and hi_m <= hi
    if direct:
        e = np.exp(z)
    else:
        e = np.subtract(z, _shifts(z, m, hi, False)[:, np.newaxis])
        np.exp(e, out=e)
    shifted_dot = None
    if need_loss and eps_ls:
        # sum_k (z_k - m) / C, for the uniform part (divided first: the sum could overflow)
        shifted_dot = np.add.reduce(np.subtract(z, m[:, np.newaxis]) / C, axis=1)
    ef = e.reshape(-1)  # a view: e is a new contiguous array
    top = ef.take(i_top)  # exp(m - c): exactly 1 when shifted
    ef[i_top] = 0
    rest = np.add.reduce(e, axis=1)
    t = rest / top  # the sum of exp(z_k - m) but the maximum's
    loss_rows = None
    if need_loss:
        log_s = np.log1p(t)
        nll = (m - zf.take(i_y)) + log_s
        if eps_ls:
            loss_rows = (1 - eps_ls) * nll + eps_ls * (log_s - shifted_dot)
        else:
            loss_rows = nll
    if not need_grad:
        return loss_rows, None
    s = top + rest
    q = scale / s
    e *= q[:, np.newaxis]
    ef[i_top] = top * q
    ef[i_y] -= scale * (1 - eps_ls)
    if eps_ls:
        e -= scale * eps_ls / C
    sure = np.flatnonzero(t < 1)  # p > 1/2 at the arg max: p - y there as (1 - y) - rest / s
    if sure.size:
        y_top = ((labels[sure] == ib[sure]) * (1 - eps_ls) + eps_ls / C).astype(z.dtype)
        ef[i_top[sure]] = scale * ((1 - y_top) - rest[sure] / s[sure])
    return loss_rows, e


def _num_threads(n_rows: int, size: int) -> int:
    """Threads for a batch of ``size`` logits: one below ``_MIN_LOGITS_PER_THREAD`` each."""
    wanted = min(_MAX_THREADS, n_rows, size // _MIN_LOGITS_PER_THREAD)
    if wanted < 2:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(wanted, cpus))


def _ce_rows(
    z: np.ndarray,
    labels: np.ndarray | None,
    probs: np.ndarray | None,
    eps_ls: float,
    scale: float,
    hi: float,
    loss_out: np.ndarray | None,
    grad_out: np.ndarray | None,
) -> None:
    """Loss and gradient of the rows ``z`` (n, C), written into ``loss_out`` and ``grad_out``.

    Exactly one of ``labels`` (n,) and ``probs`` (n, C, smoothing applied) is given; ``scale`` is
    1/N or 1; ``loss_out`` (n,) and ``grad_out`` (n, C) may be None when not wanted.
    """
    n, C = z.shape
    rows = np.arange(n)
    is_complex = np.iscomplexobj(z)
    # The passes over the classes (arg max, exp, sum, scaling) run block by block, each block of
    # rows small enough to stay in the cache between passes; per row they keep the arg max, the
    # maximum m, the maximum's exponential `top` and the sum `rest` of the other exponentials.
    step = max(1, _BLOCK_BYTES // (C * z.itemsize))
    # `buf` is the only (n, C) array: the exponentials, then the gradient.
    buf = grad_out if grad_out is not None else np.empty((min(step, n), C), dtype=z.dtype)
    top_idx = np.empty(n, dtype=np.intp)
    m = np.empty(n, dtype=z.dtype)
    top = np.empty(n, dtype=z.dtype)
    rest = np.empty(n, dtype=z.dtype)
    shift = np.zeros(n, dtype=z.dtype)  # the shift c of each row
    for lo in range(0, n, step):
        up = min(lo + step, n)
        zb, r = z[lo:up], rows[: up - lo]
        eb = buf[lo:up] if grad_out is not None else buf[: up - lo]
        ib = (zb.real if is_complex else zb).argmax(axis=1)
        mb = zb[r, ib]
        top_idx[lo:up], m[lo:up] = ib, mb
        # Each row is exponentiated after subtracting a shift c; softmax is the same for every c.
        # c = m is what keeps exp from overflowing, but it costs a pass over the logits. Where
        # 0 <= m <= hi (False for inf and nan), exp(z) can neither overflow nor underflow where
        # the shifted exponentials would not, and N times the sum stays below 1/tiny, so c = 0.
        # The choice depends on the logits only, never on the form of the target. Complex input
        # (the complex-step derivative) is always shifted.
        direct = not is_complex and mb.min() >= 0 and mb.max() <= hi
        if direct:
            np.exp(zb, out=eb)
        else:
            cb = _shifts(zb, mb, hi, is_complex)
            shift[lo:up] = cb
            np.subtract(zb, cb[:, np.newaxis], out=eb)  # -inf only in a row wider than the range
            np.exp(eb, out=eb)
        tb = eb[r, ib]  # exp(m - c): exactly 1 in every finite row shifted by its max
        eb[r, ib] = 0
        rb = np.add.reduce(eb, axis=1, out=rest[lo:up])
        top[lo:up] = tb
        if grad_out is not None:
            # 0/0 and inf * 0 only in rows with inf or nan, never when `direct` (s >= 1)
            q = scale / (tb + rb)
            eb *= q[:, np.newaxis]
            eb[r, ib] = tb * q  # buf now holds scale * P

    finite = np.isfinite(m)
    all_finite = bool(finite.all())
    if not all_finite:
        # Rows whose maximum is inf or nan were shifted by their largest finite entry (or 0):
        # their log-sum-exp is that shift plus log(s).
        m = np.where(finite, m, shift).astype(z.dtype, copy=False)
    s = top + rest
    # t = sum_{k != k*} exp(z_k - m): log(sum_k exp(z_k - m)) = log1p(t) keeps a tiny loss (a
    # confidently classified row) to full relative accuracy. Dividing by top = 1 is exact.
    t = rest / top  # top = 0 only in an all -inf row
    log_s = np.log1p(t)
    if not all_finite:
        log_s = np.where(finite, log_s, np.log(s))

    # Probability targets and label smoothing also need sum_k y_k (z_k - m), from the shifted
    # logits: a temporary, as these paths are not the fast one.
    # Overflow to -inf can only happen in a row spanning more than the float range (then exp -> 0).
    shifted_dot = None
    if loss_out is not None and (probs is not None or eps_ls):
        zm = np.subtract(z, m[:, np.newaxis])
        if probs is not None:
            shifted_dot = np.einsum("nc,nc->n", probs, zm)  # sum_k y_k (z_k - m) <= 0
            undefined = np.isnan(shifted_dot)  # 0 * (-inf): a masked class with y_k = 0
            if undefined.any():
                pu = probs[undefined]
                shifted_dot[undefined] = np.einsum(
                    "nc,nc->n", pu, np.where(pu > 0, zm[undefined], 0)
                )
        else:
            zm /= C  # before the sum, which could otherwise overflow near the float range
            shifted_dot = zm.sum(axis=1)  # sum_k (z_k - m) / C <= 0, for the uniform part
        del zm

    if loss_out is not None:
        if probs is not None:
            loss_out[...] = log_s * probs.sum(axis=1) - shifted_dot
        else:
            nll = (m - z[rows, labels]) + log_s
            if eps_ls:
                uniform = log_s - shifted_dot
                loss_out[...] = (1 - eps_ls) * nll + eps_ls * uniform
            else:
                loss_out[...] = nll

    if grad_out is not None:
        if probs is not None:
            buf -= scale * probs
        else:
            buf[rows, labels] -= scale * (1 - eps_ls)
            if eps_ls:
                buf -= scale * eps_ls / C
        # At the arg max of a row where p > 1/2, p - y cancels (p of a confidently classified
        # row rounds to 1, and p - 1 to 0). There 1 - p = rest / s, a sum without the maximum's
        # term, and p - y = (1 - y) - rest / s keeps the gradient's relative accuracy.
        sure = finite & (np.real(t) < 1)
        if sure.any():
            r, j = rows[sure], top_idx[sure]
            if probs is not None:
                y_top = probs[r, j]
            else:
                y_top = ((labels[r] == j) * (1 - eps_ls) + eps_ls / C).astype(z.real.dtype)
            buf[r, j] = scale * ((1 - y_top) - rest[r] / s[r])


def _shifts(z: np.ndarray, m: np.ndarray, hi: float, is_complex: bool) -> np.ndarray:
    """Each row's shift: its maximum ``m``, 0 where ``0 <= m <= hi``, and where ``m`` is not finite
    the row's largest finite entry (0 if it has none), as in :mod:`ce_course.softmax`."""
    m, _ = _finite_shift(z, m[:, np.newaxis])
    m = m[:, 0]
    if is_complex:
        return m
    return np.where((m >= 0) & (m <= hi), 0, m).astype(m.dtype, copy=False)


_SHARED_PARAMETERS = r"""
    Parameters
    ----------
    logits : array_like, shape (C,) or (N, C)
        Unnormalised scores. Float dtypes are kept; integers become float64.
    target : int, array_like of int of shape (N,), or array_like of shape (C,) / (N, C)
        Class indices (integers in ``[0, C)``; floats holding whole numbers are accepted), or
        target probabilities of the logits' shape: one-hot or soft, each row summing to 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the batch, ``"sum"`` adds the rows, ``"none"`` returns one loss
        per row.
    label_smoothing : float in [0, 1], default 0.0
        Replaces the target ``y`` by ``(1 - label_smoothing) * y + label_smoothing / C``, as
        PyTorch does.
"""

_SHARED_RAISES = r"""
    Raises
    ------
    ValueError
        Naming the function and the bad value: a class index that is negative, fractional or
        ``>= C``; batch sizes that differ; probability targets of the wrong shape, outside
        ``[0, 1]`` or not summing to 1; an unknown ``reduction``; ``label_smoothing`` outside
        ``[0, 1]``; logits that are not 1-D or 2-D.
"""


def cross_entropy(
    logits: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> np.generic | np.ndarray:
    loss, _ = _softmax_ce(
        logits, target, reduction, label_smoothing, "cross_entropy", need_grad=False
    )
    return loss


cross_entropy.__doc__ = (
    r"""Softmax cross-entropy loss of logits against class indices or target probabilities.
"""
    + _SHARED_PARAMETERS
    + r"""
    Returns
    -------
    loss : scalar of the logits' dtype, or ndarray of shape (N,) for ``reduction="none"``
"""
    + _SHARED_RAISES
    + r"""
    Notes
    -----
    For row :math:`i` with target distribution :math:`y_i` (one-hot for a class index),

    .. math::

        L_i = -\sum_k y_{ik} \log p_{ik}
            = \sum_k y_{ik}\Bigl((m_i - z_{ik}) + \log\bigl(1 + \textstyle\sum_{k \ne k^*_i}
              e^{z_{ik} - m_i}\bigr)\Bigr),

    where :math:`m_i = z_{ik^*_i}` is the row maximum. It goes through the log-softmax and never
    takes the logarithm of a probability, so an underflowing probability does not make it infinite.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import cross_entropy, softmax
    >>> print(round(float(cross_entropy([2.0, 1.0, 0.1], 0)), 6))
    0.417030

    A confident wrong answer: the naive formula takes the log of an underflowed 0.

    >>> z = np.array([0.0, 800.0])
    >>> with np.errstate(divide="ignore"):
    ...     print(-np.log(softmax(z)[0]))
    inf
    >>> print(cross_entropy(z, 0))
    800.0
    """
)


def cross_entropy_grad(
    logits: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    _, grad = _softmax_ce(
        logits, target, reduction, label_smoothing, "cross_entropy_grad", need_loss=False
    )
    return grad


cross_entropy_grad.__doc__ = (
    r"""Gradient of :func:`cross_entropy` with respect to the logits.
"""
    + _SHARED_PARAMETERS
    + r"""
    Returns
    -------
    grad : ndarray, same shape and dtype as ``logits``
        ``(P - Y) / N`` for ``"mean"``, ``P - Y`` for ``"sum"``; for ``"none"``, row ``i`` is the
        gradient of loss ``i`` (again ``p_i - y_i``).
"""
    + _SHARED_RAISES
    + r"""
    Notes
    -----
    .. math::

        \frac{\partial L}{\partial z_{ij}} = \frac{1}{N}\,(p_{ij} - y_{ij}),

    with :math:`Y` the (possibly smoothed) target distribution. Every row of the gradient sums to
    0, because both :math:`p_i` and :math:`y_i` sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import cross_entropy_grad, softmax
    >>> z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    >>> g = cross_entropy_grad(z, [0, 2])
    >>> g.round(4)
    array([[-0.1705,  0.1212,  0.0493],
           [ 0.1667,  0.1667, -0.3333]])
    >>> bool(np.all(np.abs(g.sum(axis=1)) < 1e-15))  # rows of P - Y sum to 0
    True
    """
)


def softmax_cross_entropy(
    logits: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> tuple[np.generic | np.ndarray, np.ndarray]:
    return _softmax_ce(logits, target, reduction, label_smoothing, "softmax_cross_entropy")


softmax_cross_entropy.__doc__ = (
    r"""Loss and gradient in one fused pass: the fast path for training.
"""
    + _SHARED_PARAMETERS
    + r"""
    Returns
    -------
    loss : scalar of the logits' dtype, or ndarray of shape (N,) for ``reduction="none"``
        As :func:`cross_entropy`.
    grad : ndarray, same shape and dtype as ``logits``
        As :func:`cross_entropy_grad`.
"""
    + _SHARED_RAISES
    + r"""
    Notes
    -----
    One ``(N, C)`` buffer is allocated and reused: it holds :math:`e^{z - c}`, then the gradient
    :math:`(P - Y)/N`, which is returned. The shift :math:`c` is the row maximum :math:`m`, or 0
    where :math:`e^{z}` can neither overflow nor underflow (this saves a pass over the logits and
    the rounding of :math:`z - m`). The target column is indexed rather than building a one-hot
    matrix, and a large batch is split by rows among threads. Reading the logits once and writing
    the gradient once is the memory-traffic floor; ``benchmarks/bench_softmax_ce.py`` reports how
    close this gets.

    .. math:: L = \frac{1}{N}\sum_i \bigl(\mathrm{LSE}(z_i) - z_{i y_i}\bigr), \qquad
              \nabla_{z} L = \frac{1}{N}(P - Y).

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import softmax_cross_entropy
    >>> loss, grad = softmax_cross_entropy(np.zeros((4, 10)), [0, 1, 2, 3])
    >>> print(round(float(loss), 4), round(float(-np.log(0.1)), 4))  # uniform scores: log C
    2.3026 2.3026
    >>> grad.shape
    (4, 10)
    """
)


def cross_entropy_from_probs(
    probs: ArrayLike,
    target: ArrayLike,
    *,
    eps: float = 1e-7,
    reduction: Reduction = "mean",
) -> np.generic | np.ndarray:
    r"""Cross-entropy from probabilities, clipped as ``-log(clip(p, eps, 1 - eps))``.

    This is the form of the first source document, kept for comparison: clipping keeps the loss
    finite but wrong. A probability below ``eps`` is charged ``-log(eps)`` (about 16.1 for 1e-7)
    whatever its true value, and a confident right answer is charged ``-log(1 - eps)`` instead of
    its tiny true loss. Prefer :func:`cross_entropy` on the logits.

    Parameters
    ----------
    probs : array_like, shape (C,) or (N, C)
        Probabilities, each row summing to 1.
    target : int, array_like of int of shape (N,), or array_like of the shape of ``probs``
        Class indices or target probabilities, as in :func:`cross_entropy`.
    eps : float, default 1e-7
        Clipping threshold, in ``(0, 0.5)``.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    loss : scalar, or ndarray of shape (N,) for ``reduction="none"``

    Notes
    -----
    .. math:: L_i = -\sum_k y_{ik}\,\log \mathrm{clip}(p_{ik}, \varepsilon, 1 - \varepsilon)

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import cross_entropy, cross_entropy_from_probs, softmax
    >>> z = np.array([0.0, 40.0])
    >>> print(round(float(cross_entropy_from_probs(softmax(z), 0)), 4))  # clipped at -log(1e-7)
    16.1181
    >>> print(cross_entropy(z, 0))  # the true loss
    40.0
    """
    fname = "cross_entropy_from_probs"
    _check_options(reduction, 0.0, fname)
    if not (isinstance(eps, numbers.Real) and 0 < eps < 0.5):
        raise ValueError(f"{fname}: eps must be a number in (0, 0.5), got {eps!r}")
    p = as_float_array(probs, fname, "probs")
    if p.ndim not in (1, 2):
        raise ValueError(f"{fname}: probs must have shape (C,) or (N, C), got shape {p.shape}")
    if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1):
        raise ValueError(f"{fname}: probs must lie in [0, 1]; got {fmt_value(p)}")
    check_probabilities(p, p.shape, fname, "probs")  # each row sums to 1
    labels, tprobs = _parse_target(target, p, fname)
    single = p.ndim == 1
    p2 = p[np.newaxis] if single else p
    clipped = np.clip(p2, eps, 1 - eps)
    with np.errstate(all="ignore"):  # a subnormal target times a log underflows to 0: fine
        if labels is not None:
            rows = -np.log(clipped[np.arange(p2.shape[0]), labels.reshape(-1)])
        else:
            rows = -np.sum(tprobs.reshape(p2.shape) * np.log(clipped), axis=1)
    if reduction == "mean":
        return rows.mean()
    if reduction == "sum":
        return rows.sum()
    return rows[0] if single else rows
