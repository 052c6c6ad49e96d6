"""Softmax, log-softmax and log-sum-exp, stable for every finite input, quiet on every other.

Stability contract
------------------
Every function here subtracts the row maximum ``m`` before exponentiating. This is exact, not an
approximation: softmax is invariant to adding the same constant to every logit,
``softmax(z - c) = softmax(z)``, and ``logsumexp(z) = c + logsumexp(z - c)`` for any ``c``. After the
shift the largest exponent is ``exp(0) = 1``, so nothing overflows, and the sum of the exponentials
lies in ``[1, C]``, so its logarithm is never ``-inf``.

The sum is split as ``1 + t``, where ``t`` collects every term but the maximum's, and its logarithm
is taken with ``log1p(t)``. That keeps the tiny log-probabilities of a confidently classified row
(``-log p = 3.8e-17``, say) instead of rounding them to exactly ``0``.

For finite logits: no overflow, no ``nan``, ``log_softmax`` never ``-inf``, except in a row whose
spread exceeds the largest float (``max - min > 1.8e308`` in float64, ``3.4e38`` in float32): there
the true log-probability itself is below the float range and rounds to ``-inf``, without a
warning.

Non-finite logits. Where a row's maximum is ``nan`` or ``+inf``, the shift is the row's largest
*finite* entry instead (0 in a row without one), so the finite entries still cannot overflow. The
results are then what IEEE arithmetic gives from that shift, which is the limit wherever one
exists:

* a ``-inf`` logit gets probability exactly ``0`` (useful for masking) and log-probability
  ``-inf``; it does not change the other entries;
* a row that is all ``-inf`` has ``logsumexp = -inf`` and ``nan`` probabilities and
  log-probabilities (0/0);
* a ``+inf`` logit gives ``logsumexp = +inf``, ``nan`` probability and log-probability where the
  ``+inf`` entries are (inf/inf) and probability ``0``, log-probability ``-inf``, at every other
  entry: ``softmax([inf, 1000]) = [nan, 0]``;
* a ``nan`` logit makes its whole row ``nan`` (and ``logsumexp`` ``nan``); other rows are
  untouched.

A temperature divides after the shift and changes none of this. Complex input with an infinite or
``nan`` part follows complex IEEE arithmetic from the same shift (an entry of real part ``-inf``
gets probability 0).

No function here emits a warning or raises ``FloatingPointError`` on any input, whatever
``np.errstate`` the caller has set (overflow, underflow to subnormals or 0, ``inf - inf`` are all
handled by the rules above), except :func:`softmax_naive`, which exists to show the overflow.

Every function is complex-safe (the shift is a complex constant taken at the row's largest real
part), so the complex-step derivative of :mod:`ce_course.gradcheck` works through them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_axis, check_positive_scalar

__all__ = [
    "log_softmax",
    "logsumexp",
    "softmax",
    "softmax_jacobian",
    "softmax_naive",
    "softmax_vjp",
]


def _prepare(
    x: ArrayLike, axis: int, temperature: float, fname: str
) -> tuple[np.ndarray, int, float]:
    """Validate and return ``(z, axis, temperature)`` with ``axis`` non-negative."""
    z = as_float_array(x, fname, "x", min_ndim=1)
    axis = check_axis(axis, z.ndim, fname)
    if z.shape[axis] == 0:
        raise ValueError(f"{fname}: x has no classes along axis {axis} (shape {z.shape})")
    if temperature != 1.0 or isinstance(temperature, bool):
        temperature = check_positive_scalar(temperature, fname, "temperature")
    return z, axis, temperature


def _finite_shift(z: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's shift: ``m`` where it is finite, else the row's largest finite entry.

    ``z`` has the classes on its last axis and ``m`` (shape ``(..., 1)``) is the entry of each row
    with the largest real part. Where ``m`` is ``nan`` or infinite, the shift is the finite entry
    with the largest real part, or 0 in a row without one. A finite shift keeps ``exp(z - c)``
    free of overflow for every finite ``z_k``, so a ``+inf`` logit cannot turn the probabilities
    of the finite logits into ``nan``. Returns ``(shift, finite)``, ``finite`` marking the rows
    whose ``m`` was finite.
    """
    finite = np.isfinite(m)
    if finite.all():
        return m, finite
    bad = ~finite[..., 0]
    zb = z[bad]  # (k, C): the rows whose maximum is not finite
    ok = np.isfinite(zb)
    key = np.where(ok, zb.real, -np.inf)
    c = np.take_along_axis(zb, key.argmax(axis=-1)[:, np.newaxis], axis=-1)
    c = np.where(ok.any(axis=-1, keepdims=True), c, 0).astype(z.dtype, copy=False)
    shift = m.copy()
    shift[bad] = c
    return shift, finite


def _shifted(
    z: np.ndarray, m: np.ndarray, temperature: float, out: np.ndarray | None = None
) -> np.ndarray:
    """``(z - m) / temperature``; call it inside ``np.errstate(all="ignore")``.

    Dividing after the shift keeps the result at most 0 and exact for nearby entries. ``z - m``
    overflows to ``-inf`` only in a row wider than the float range; with ``temperature > 1`` the
    true value may still be in range, so those entries are recomputed as ``z/T - m/T``.
    """
    if temperature <= 1.0:
        e = np.subtract(z, m, out=out)
        if temperature != 1.0:
            e /= e.dtype.type(temperature)
        return e
    T = z.real.dtype.type(temperature)
    try:
        with np.errstate(over="raise"):
            e = np.subtract(z, m, out=out)
        wide = False
    except FloatingPointError:  # rare: entries more than the float range apart
        e = np.subtract(z, m, out=out)
        wide = True
    e /= T
    if wide:
        fix = np.isinf(e) & np.isfinite(z) & np.isfinite(m)
        e[fix] = (z / T - m / T)[fix]
    return e


def _exp_parts(
    z: np.ndarray, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shifted exponentials along the last axis of ``z``; call it inside ``np.errstate``.

    Returns ``(e, m, s, log_s)``: ``e = exp((z - m) / temperature)`` (a new array), the shift ``m``
    (shape ``(..., 1)``: the entry with the largest real part, or the largest finite entry where
    that one is not finite, see :func:`_finite_shift`), ``s = sum(e)`` and ``log_s = log(s)``
    (both of shape ``(..., 1)``). ``log_s`` is computed as ``log1p(t)``, with ``t`` the sum of
    all but the largest term, so that it keeps full relative accuracy when it is tiny.
    """
    idx = np.argmax(z.real if np.iscomplexobj(z) else z, axis=-1)[..., np.newaxis]
    m = np.take_along_axis(z, idx, axis=-1)
    m, finite = _finite_shift(z, m)
    all_finite = bool(finite.all())
    e = _shifted(z, m, temperature)
    np.exp(e, out=e)
    top = np.take_along_axis(e, idx, axis=-1)  # exactly 1 wherever m is finite
    np.put_along_axis(e, idx, 0, axis=-1)
    t = e.sum(axis=-1, keepdims=True)
    np.put_along_axis(e, idx, top, axis=-1)
    s = top + t
    log_s = np.log1p(t)
    if not all_finite:
        log_s = np.where(finite, log_s, np.log(s))
    return e, m, s, log_s


def softmax(x: ArrayLike, axis: int = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax of ``x`` along ``axis``: positive entries that sum to one.

    Parameters
    ----------
    x : array_like, shape (..., C, ...)
        Logits; ``(C,)`` for one example or ``(N, C)`` for a batch. Integers are promoted to
        float64; float32, float64 and complex inputs keep their dtype.
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        Positive number that divides the logits first. Above 1 flattens the distribution, below 1
        sharpens it towards the arg max.

    Returns
    -------
    probs : ndarray, same shape and dtype as ``x``
        ``probs.sum(axis)`` is 1 up to rounding.

    Notes
    -----
    With :math:`T` the temperature and :math:`m = \max_k z_k`,

    .. math::

        \mathrm{softmax}(z)_i = \frac{e^{z_i/T}}{\sum_k e^{z_k/T}}
                             = \frac{e^{(z_i - m)/T}}{\sum_k e^{(z_k - m)/T}}.

    The second form is the one computed: subtracting the same constant from every logit changes
    nothing mathematically (shift invariance) and keeps every exponent at most 0. See the module
    docstring for the behaviour on non-finite input.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import softmax, softmax_naive
    >>> softmax([1.0, 2.0, 3.0]).round(4)
    array([0.09  , 0.2447, 0.6652])

    The textbook formula overflows where the stable one does not:

    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     softmax_naive([-10.0, -1.0, 1000.0])
    array([ 0.,  0., nan])
    >>> softmax([-10.0, -1.0, 1000.0])
    array([0., 0., 1.])
    """
    z, axis, temperature = _prepare(x, axis, temperature, "softmax")
    zt = np.moveaxis(z, axis, -1)
    with np.errstate(all="ignore"):  # IEEE specials follow the module's rules, silently
        e, _, s, _ = _exp_parts(zt, temperature)
        np.divide(e, s, out=e)
    return np.moveaxis(e, -1, axis)


def log_softmax(x: ArrayLike, axis: int = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of :func:`softmax`, computed without ever forming the probabilities.

    Parameters
    ----------
    x : array_like, shape (..., C, ...)
        Logits, as for :func:`softmax`.
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        Positive number that divides the logits first.

    Returns
    -------
    log_probs : ndarray, same shape and dtype as ``x``
        Finite for finite input, never ``-inf`` even when a probability underflows to 0.

    Notes
    -----
    .. math::

        \log \mathrm{softmax}(z)_i = (z_i - m) - \log\Bigl(1 + \sum_{k \ne k^*} e^{z_k - m}\Bigr),
        \qquad m = z_{k^*} = \max_k z_k.

    Both terms are at most 0, so they never cancel; the logarithm is taken with ``log1p``.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import log_softmax, softmax
    >>> x = np.array([0.0, -800.0])
    >>> with np.errstate(divide="ignore"):
    ...     np.log(softmax(x))  # the probability underflowed to 0 before the log
    array([   0., -inf])
    >>> log_softmax(x)
    array([   0., -800.])
    """
    z, axis, temperature = _prepare(x, axis, temperature, "log_softmax")
    zt = np.moveaxis(z, axis, -1)
    # invalid: (-inf) - (-inf) or inf - inf in rows with infinities; over: a row spanning > 1.8e308
    with np.errstate(all="ignore"):
        e, m, _, log_s = _exp_parts(zt, temperature)
        out = _shifted(zt, m, temperature, out=e)
        out -= log_s
    return np.moveaxis(out, -1, axis)


def logsumexp(x: ArrayLike, axis: int | None = -1, *, keepdims: bool = False) -> np.ndarray:
    r"""``log(sum(exp(x)))`` along ``axis`` without overflow or underflow.

    Parameters
    ----------
    x : array_like, shape (..., C, ...)
        Input values; integers are promoted to float64.
    axis : int or None, default -1
        Axis to reduce; ``None`` reduces over every element.
    keepdims : bool, default False
        Keep the reduced axis with length 1 (handy for broadcasting back against ``x``).

    Returns
    -------
    lse : ndarray
        ``x``'s shape without ``axis`` (or with length 1 there if ``keepdims``), ``x``'s dtype.
        A NumPy scalar when the result has no dimensions.

    Notes
    -----
    .. math::

        \mathrm{LSE}(z) = m + \log\Bigl(1 + \sum_{k \ne k^*} e^{z_k - m}\Bigr),
        \qquad m = z_{k^*} = \max_k z_k.

    Exact for any shift :math:`m`; choosing the maximum keeps every exponent at most 0.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import logsumexp
    >>> x = np.array([1000.0, 1000.0])
    >>> with np.errstate(over="ignore"):
    ...     print(np.log(np.sum(np.exp(x))))  # the naive formula overflows
    inf
    >>> print(logsumexp(x))  # 1000 + log 2
    1000.6931471805599
    """
    z = as_float_array(x, "logsumexp", "x", min_ndim=0)
    if axis is None:
        shape_kept = (1,) * z.ndim
        z = z.reshape(-1)
        ax = 0
    else:
        if z.ndim == 0:
            raise ValueError("logsumexp: x must have at least 1 dimension when axis is an int")
        ax = check_axis(axis, z.ndim, "logsumexp")
        shape_kept = (*z.shape[:ax], 1, *z.shape[ax + 1 :])
    if z.shape[ax] == 0:
        raise ValueError(f"logsumexp: x has no entries along axis {ax} (shape {z.shape})")
    zt = np.moveaxis(z, ax, -1)
    with np.errstate(all="ignore"):  # e.g. complex infinities: inf + nan j
        _, m, _, log_s = _exp_parts(zt)
        out = (m + log_s)[..., 0]
    if keepdims:
        return out.reshape(shape_kept)
    return out[()]


def softmax_naive(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""The textbook ``exp(x) / sum(exp(x))``, kept to show why :func:`softmax` shifts first.

    Parameters
    ----------
    x : array_like, shape (..., C, ...)
        Logits.
    axis : int, default -1
        The class axis.

    Returns
    -------
    probs : ndarray, same shape and dtype as ``x``
        Correct for small logits; ``nan`` once an ``exp`` overflows (above about 709.78 in float64
        and 88.72 in float32) and ``0/0`` once every ``exp`` underflows.

    Notes
    -----
    .. math:: \mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_k e^{z_k}}

    Do not use this outside a demonstration.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import softmax_naive
    >>> softmax_naive([1.0, 2.0, 3.0]).round(4)
    array([0.09  , 0.2447, 0.6652])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     softmax_naive(np.array([88.0, 89.0], dtype=np.float32))
    array([ 0., nan], dtype=float32)
    """
    z = as_float_array(x, "softmax_naive", "x", min_ndim=1)
    axis = check_axis(axis, z.ndim, "softmax_naive")
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(x: ArrayLike) -> np.ndarray:
    r"""Jacobian of :func:`softmax` with respect to the logits.

    Parameters
    ----------
    x : array_like, shape (C,) or (N, C)
        Logits of one example or of a batch.

    Returns
    -------
    J : ndarray, shape (C, C) or (N, C, C)
        ``J[..., i, j] = d p_i / d z_j``. Symmetric, rows and columns sum to 0, singular (the
        all-ones vector is in its null space) and positive semi-definite.

    Notes
    -----
    .. math::

        \frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j),
        \qquad J = \mathrm{diag}(p) - p\,p^\top.

    Building ``J`` costs :math:`O(C^2)`; backpropagation never needs it, see :func:`softmax_vjp`.

    Examples
    --------
    >>> from ce_course import softmax_jacobian
    >>> J = softmax_jacobian([0.0, 0.0])
    >>> J
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> J.sum(axis=1)
    array([0., 0.])
    """
    z = as_float_array(x, "softmax_jacobian", "x")
    if z.ndim not in (1, 2):
        raise ValueError(f"softmax_jacobian: x must have shape (C,) or (N, C), got shape {z.shape}")
    p = softmax(z, axis=-1)
    with np.errstate(all="ignore"):  # nan rows stay nan; tiny products underflow to 0
        J = -p[..., :, np.newaxis] * p[..., np.newaxis, :]
        diag = np.einsum("...ii->...i", J)  # a writable view of the diagonal
        diag += p
    return J


def softmax_vjp(x: ArrayLike, v: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Vector-Jacobian product ``v @ J`` of softmax, in O(C) without building ``J``.

    This is how backpropagation pushes an upstream gradient ``v = dL/dp`` through softmax.

    Parameters
    ----------
    x : array_like, shape (..., C, ...)
        Logits.
    v : array_like, same shape as ``x``
        Upstream gradient with respect to the probabilities.
    axis : int, default -1
        The class axis.

    Returns
    -------
    g : ndarray, same shape as ``x``
        The gradient with respect to the logits, ``dL/dz``.

    Notes
    -----
    Since :math:`J = \mathrm{diag}(p) - p p^\top` is symmetric,

    .. math:: v^\top J = p \odot \bigl(v - \langle v, p\rangle \mathbf{1}\bigr).

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import softmax_jacobian, softmax_vjp
    >>> z, v = np.array([1.0, 2.0, 0.5]), np.array([0.3, -1.0, 2.0])
    >>> bool(np.allclose(softmax_vjp(z, v), v @ softmax_jacobian(z)))
    True
    """
    z = as_float_array(x, "softmax_vjp", "x", min_ndim=1)
    g = as_float_array(v, "softmax_vjp", "v")
    if g.shape != z.shape:
        raise ValueError(f"softmax_vjp: v of shape {g.shape} does not match x of shape {z.shape}")
    p = softmax(z, axis=axis)
    with np.errstate(all="ignore"):  # inf in v times p = 0 is nan, as IEEE says
        dot = np.sum(g * p, axis=axis, keepdims=True)
        return p * (g - dot)
