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

import numbers
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_class_indices,
    check_probabilities,
    fmt_value,
)

__all__ = [
    "cross_entropy",
    "cross_entropy_from_probs",
    "cross_entropy_grad",
    "one_hot",
    "softmax_cross_entropy",
]

Reduction = Literal["mean", "sum", "none"]
_REDUCTIONS = ("mean", "sum", "none")


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


def _softmax_ce(
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

    rows = np.arange(N)
    top_idx = np.argmax(z2.real if np.iscomplexobj(z2) else z2, axis=1)
    m = z2[rows, top_idx]
    finite = np.isfinite(m)
    all_finite = bool(finite.all())
    if not all_finite:
        m = np.where(finite, m, 0).astype(z2.dtype, copy=False)

    # `buf` is the only (N, C) allocation: shifted logits, then exponentials, then the gradient.
    buf = np.subtract(z2, m[:, np.newaxis])
    shifted_dot = None
    if need_loss and probs is not None:
        shifted_dot = np.einsum("nc,nc->n", probs, buf)  # sum_k y_k (z_k - m) <= 0
    elif need_loss and eps_ls:
        shifted_dot = buf.sum(axis=1)  # sum_k (z_k - m) <= 0, for the uniform part
    np.exp(buf, out=buf)
    top = buf[rows, top_idx]  # exactly 1 in every finite row
    buf[rows, top_idx] = 0
    t = buf.sum(axis=1)
    buf[rows, top_idx] = top
    s = top + t
    log_s = np.log1p(t)
    if not all_finite:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.where(finite, log_s, np.log(s))

    loss = None
    if need_loss:
        with np.errstate(invalid="ignore"):
            if probs is not None:
                loss_rows = log_s * probs.sum(axis=1) - shifted_dot
            else:
                nll = (m - z2[rows, labels]) + log_s
                if eps_ls:
                    uniform = log_s - shifted_dot / C
                    loss_rows = (1 - eps_ls) * nll + eps_ls * uniform
                else:
                    loss_rows = nll
        if reduction == "mean":
            loss = loss_rows.mean()
        elif reduction == "sum":
            loss = loss_rows.sum()
        else:
            loss = loss_rows[0] if single else loss_rows

    grad = None
    if need_grad:
        scale = 1.0 / N if reduction == "mean" else 1.0
        with np.errstate(invalid="ignore"):
            buf *= (scale / s)[:, np.newaxis]  # buf now holds scale * P
        if probs is not None:
            buf -= scale * probs
        else:
            buf[rows, labels] -= scale * (1 - eps_ls)
            if eps_ls:
                buf -= scale * eps_ls / C
        grad = buf[0] if single else buf
    return loss, grad


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
    One ``(N, C)`` buffer is allocated and reused: it holds :math:`z - m`, then
    :math:`e^{z - m}`, then the gradient :math:`(P - Y)/N`, which is returned. The target column is
    indexed rather than building a one-hot matrix. Reading the logits once and writing the gradient
    once is the memory-traffic floor; ``benchmarks/bench_softmax_ce.py`` reports how close this gets.

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
    labels, tprobs = _parse_target(target, p, fname)
    single = p.ndim == 1
    p2 = p[np.newaxis] if single else p
    clipped = np.clip(p2, eps, 1 - eps)
    if labels is not None:
        rows = -np.log(clipped[np.arange(p2.shape[0]), labels.reshape(-1)])
    else:
        rows = -np.sum(tprobs.reshape(p2.shape) * np.log(clipped), axis=1)
    if reduction == "mean":
        return rows.mean()
    if reduction == "sum":
        return rows.sum()
    return rows[0] if single else rows
