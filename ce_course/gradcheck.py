r"""Numerical gradients and a gradient checker that says what is wrong.

:func:`numerical_gradient` estimates the gradient of a scalar function by finite differences
(forward or central) or by the complex step. :func:`check_gradient` compares an analytic gradient
against it, entry by entry, with CS231n's relative error, and returns a
:class:`GradientCheckResult` (or raises :class:`GradientCheckError`) listing the worst entries and,
where the pattern of errors shows one, the likely cause: a sign flip, a constant factor such as
``N`` or 2, a transposed matrix, a missing regularization term.

Errors of the three estimates, for a step :math:`h` and machine epsilon :math:`\epsilon`:

=========== ============================================ ====================
method      estimate                                     error
=========== ============================================ ====================
forward     :math:`(f(x + h) - f(x)) / h`                 :math:`O(h) + O(\epsilon/h)`
central     :math:`(f(x + h) - f(x - h)) / 2h`            :math:`O(h^2) + O(\epsilon/h)`
complex     :math:`\mathrm{Im}\, f(x + ih) / h`             :math:`O(h^2)`, no cancellation
=========== ============================================ ====================

The complex step needs ``f`` to be complex-safe (every function in :mod:`ce_course` is); with its
default ``h = 1e-20`` it is exact to machine precision.
"""

from __future__ import annotations

import numbers
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array

__all__ = [
    "GradientCheckError",
    "GradientCheckResult",
    "GradientEntry",
    "check_gradient",
    "numerical_gradient",
    "relative_error",
    "verdict",
]

_METHODS = ("forward", "central", "complex")
_DEFAULT_H = {"forward": 1e-5, "central": 1e-5, "complex": 1e-20}
_DEFAULT_RTOL = {"forward": 1e-4, "central": 1e-6, "complex": 1e-10}
_DEFAULT_ATOL = {"forward": 1e-8, "central": 1e-8, "complex": 1e-13}


def _check_method(method: object, h: float | None, fname: str) -> float:
    if method not in _METHODS:
        raise ValueError(
            f"{fname}: unknown method {method!r}; expected 'forward', 'central' or 'complex'"
        )
    if h is None:
        return _DEFAULT_H[method]
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not (np.isfinite(h) and h > 0):
        raise ValueError(f"{fname}: step h must be a positive finite number, got {h!r}")
    return float(h)


def _scalar(value: Any, fname: str, keep_complex: bool) -> complex | float:
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"{fname}: f must return a scalar, got an array of shape {arr.shape}")
    if keep_complex:
        if arr.dtype.kind != "c":
            raise ValueError(
                f"{fname}: method='complex' needs f to keep complex numbers, but f returned "
                f"{arr.dtype} for a complex input; use method='central' or make f complex-safe"
            )
        return complex(arr.reshape(()))
    return float(np.real(arr.reshape(())))


def _estimate(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    flat_indices: np.ndarray,
    h: float,
    method: str,
    fname: str,
) -> np.ndarray:
    """Numerical partial derivatives of ``f`` at ``x`` for the given flat indices.

    ``f`` is evaluated on a private copy of ``x``, one entry perturbed at a time.
    """
    complex_step = method == "complex"
    work = np.array(x, dtype=np.complex128 if complex_step else np.float64, copy=True)
    flat = work.reshape(-1)  # a view: writing to it perturbs `work`
    out = np.empty(len(flat_indices), dtype=np.float64)
    f0 = _scalar(f(work), fname, False) if method == "forward" else 0.0
    for n, i in enumerate(flat_indices):
        orig = flat[i]
        if complex_step:
            flat[i] = orig + 1j * h
            out[n] = _scalar(f(work), fname, True).imag / h
        elif method == "central":
            flat[i] = orig + h
            fp = _scalar(f(work), fname, False)
            flat[i] = orig - h
            fm = _scalar(f(work), fname, False)
            out[n] = (fp - fm) / (2 * h)
        else:
            flat[i] = orig + h
            out[n] = (_scalar(f(work), fname, False) - f0) / h
        flat[i] = orig
    return out


def numerical_gradient(
    f: Callable[[Any], Any],
    x: ArrayLike | Mapping[str, ArrayLike],
    *,
    h: float | None = None,
    method: str = "central",
) -> np.ndarray | dict[str, np.ndarray]:
    r"""Estimate the gradient of a scalar function by finite differences or the complex step.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``. With a dict ``x``, ``f`` receives a dict of the same keys.
    x : array_like of any shape, or dict of str to array_like
        Point at which to differentiate. Never modified: ``f`` is called on a float64 (or
        complex128) copy with one entry perturbed at a time.
    h : float, optional
        Step. Defaults to ``1e-5`` for ``"forward"`` and ``"central"`` and ``1e-20`` for
        ``"complex"``.
    method : {"central", "forward", "complex"}, default "central"

    Returns
    -------
    grad : ndarray of float64, ``x``'s shape (or a dict of them, for a dict ``x``)

    Notes
    -----
    .. math::

        \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}
        \quad\text{(central)}, \qquad
        \frac{\partial f}{\partial x_i} \approx \frac{\mathrm{Im}\, f(x + \mathrm{i} h e_i)}{h}
        \quad\text{(complex step)}.

    Each entry costs one (forward, complex) or two (central) evaluations of ``f``: check large
    parameters on a sample with ``check_gradient(..., num_checks=k)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import cross_entropy, cross_entropy_grad, numerical_gradient
    >>> z = np.array([2.0, 1.0, 0.1])
    >>> num = numerical_gradient(lambda v: cross_entropy(v, 0), z)
    >>> bool(np.allclose(num, cross_entropy_grad(z, 0), rtol=1e-8))
    True
    >>> exact = numerical_gradient(lambda v: cross_entropy(v, 0), z, method="complex")
    >>> float(np.max(np.abs(exact - cross_entropy_grad(z, 0)))) < 1e-16
    True
    """
    fname = "numerical_gradient"
    h = _check_method(method, h, fname)
    if isinstance(x, Mapping):
        # Copies: f sees the other parameters too, and must not be able to modify x through them.
        base = {k: as_float_array(v, fname, f"x[{k!r}]").copy() for k, v in x.items()}
        grads = {}
        for key, value in base.items():

            def g(a: np.ndarray, key: str = key) -> Any:
                return f({**base, key: a})

            idx = np.arange(value.size)
            grads[key] = _estimate(g, value, idx, h, method, fname).reshape(value.shape)
        return grads
    arr = as_float_array(x, fname, "x")
    return _estimate(f, arr, np.arange(arr.size), h, method, fname).reshape(arr.shape)


def relative_error(a: ArrayLike, b: ArrayLike, *, elementwise: bool = False) -> Any:
    r"""CS231n's relative error ``|a - b| / max(|a|, |b|)``, the largest over all entries.

    Parameters
    ----------
    a, b : array_like, broadcastable shapes
        Typically an analytic and a numerical gradient.
    elementwise : bool, default False
        Return the error of every entry instead of the largest one.

    Returns
    -------
    err : float, or ndarray of the broadcast shape if ``elementwise``
        0 where both entries are 0 (the guard against 0/0).

    Notes
    -----
    .. math:: \mathrm{rel}(a, b) = \frac{|a - b|}{\max(|a|, |b|)}

    CS231n's reading for a gradient check in float64: above ``1e-2`` the gradient is probably
    wrong, ``1e-2`` to ``1e-4`` is uncomfortable, ``1e-4`` to ``1e-7`` is fine for objectives with
    kinks (ReLU) and too high otherwise, below ``1e-7`` is good. :func:`verdict` uses this scale,
    except that an error within the check's tolerance is called acceptable, never too high.

    Examples
    --------
    >>> from ce_course import relative_error
    >>> print(relative_error(1.0, 1.1))
    0.09090909090909098
    >>> print(relative_error(0.0, 0.0))
    0.0
    >>> relative_error([1.0, 0.0], [1.0, 1e-3], elementwise=True)
    array([0., 1.])
    >>> relative_error([np.inf, np.inf, 1.0], [np.inf, -np.inf, np.inf], elementwise=True)
    array([ 0., inf, inf])
    """
    fname = "relative_error"
    aa = as_float_array(a, fname, "a")
    bb = as_float_array(b, fname, "b")
    try:
        aa, bb = np.broadcast_arrays(aa, bb)
    except ValueError:
        raise ValueError(f"relative_error: shapes {aa.shape} and {bb.shape} do not match") from None
    with np.errstate(all="ignore"):  # infinities are handled below, never warned about
        diff = np.abs(aa - bb)
        denom = np.maximum(np.abs(aa), np.abs(bb))
        err = np.where(denom > 0, diff / np.where(denom > 0, denom, 1), 0.0)
        # equal entries (equal infinities included) agree exactly; an infinite entry that
        # the other does not match is infinitely far off; nan stays nan
        err = np.where(aa == bb, 0.0, np.where(np.isinf(aa) | np.isinf(bb), np.inf, err))
    err = np.where(np.isnan(aa) | np.isnan(bb), np.nan, err)
    if elementwise:
        return err
    return float(np.max(err)) if err.size else 0.0


#: Longest line of :meth:`GradientCheckResult.report`: reports are printed in the book's code
#: outputs and in notebooks, where 88 columns fit without sideways scrolling.
REPORT_WIDTH = 88


def _wrap_report_line(line: str) -> list[str]:
    """Break a report line at spaces into lines of at most ``REPORT_WIDTH`` characters."""
    if len(line) <= REPORT_WIDTH:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()))
    return textwrap.wrap(
        line,
        REPORT_WIDTH,
        subsequent_indent=indent + "    ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def verdict(max_rel_error: float, *, rtol: float = _DEFAULT_RTOL["central"]) -> str:
    """CS231n's reading of a gradient check's largest relative error, in words.

    Parameters
    ----------
    max_rel_error : float
        The largest relative error of the check.
    rtol : float, default 1e-6
        The tolerance the check used (the default is that of central differences). An error within
        ``rtol`` is never called too high, so a check that passes never gets a verdict that says
        otherwise.

    Returns
    -------
    str
        ``"good: ..."`` at or below ``min(1e-7, rtol)``; ``"acceptable: ..."`` up to ``rtol``;
        ``"okay for objectives with kinks ..."`` from ``rtol`` to ``1e-4`` (too high for a smooth
        objective); ``"uncomfortable: ..."`` up to ``1e-2``; ``"wrong: ..."`` above, or when the
        error is not finite.

    Examples
    --------
    >>> verdict(5e-7).split(":")[0]
    'acceptable'
    >>> verdict(5e-6).split(":")[0]
    'okay for objectives with kinks (ReLU, max)'
    >>> verdict(5e-6, rtol=1e-4).split(":")[0]
    'acceptable'
    """
    r = max_rel_error
    good_at = min(1e-7, rtol)
    if not np.isfinite(r) or r > 1e-2:
        return "wrong: relative error above 1e-2, the gradient is probably incorrect"
    if r > 1e-4:
        return "uncomfortable: relative error between 1e-4 and 1e-2 usually means a mistake"
    if r > rtol:
        return (
            f"okay for objectives with kinks (ReLU, max): relative error between {rtol:g} and "
            "1e-4; for a smooth objective it is too high"
        )
    if r > good_at:
        return (
            f"acceptable: relative error between {good_at:g} and the tolerance {rtol:g}; a "
            "smooth, well-scaled objective usually gets below 1e-7 with central differences"
        )
    return f"good: relative error below {good_at:g}"


@dataclass(frozen=True)
class GradientEntry:
    """One checked entry: where it is, both gradients and their relative error."""

    index: tuple[int, ...]
    analytic: float
    numeric: float
    rel_error: float
    name: str = "x"


@dataclass
class GradientCheckResult:
    """Outcome of :func:`check_gradient`.

    Attributes
    ----------
    passed : bool
        Every checked entry is within ``rtol`` (or within ``atol`` in absolute terms).
    max_rel_error : float
        Largest relative error over the checked entries, leaving out entries where both the
        analytic and the numeric value are at most ``atol`` in magnitude (both numerically 0).
    worst : list of GradientEntry
        The checked entries with the largest relative errors, worst first.
    verdict : str
        CS231n's reading of ``max_rel_error``.
    n_checked, n_failed : int
        How many entries were compared, and how many failed.
    diagnosis : str or None
        The likely cause, when the pattern of errors shows one.
    parameters : dict of str to GradientCheckResult
        Per-parameter results when a dict of parameters was checked (else empty).
    """

    passed: bool
    max_rel_error: float
    worst: list[GradientEntry]
    verdict: str
    n_checked: int
    n_failed: int
    rtol: float
    atol: float
    method: str
    shape: tuple[int, ...] | None = None
    name: str = "x"
    diagnosis: str | None = None
    parameters: dict[str, GradientCheckResult] = field(default_factory=dict)

    def report(self, max_rows: int = 5) -> str:
        """A multi-line, human-readable account of the check, in lines of at most 88 columns."""
        return "\n".join(
            wrapped for line in self._report_lines(max_rows) for wrapped in _wrap_report_line(line)
        )

    def _report_lines(self, max_rows: int) -> list[str]:
        if self.parameters:
            lines = [
                f"check_gradient: {sum(not r.passed for r in self.parameters.values())} of "
                f"{len(self.parameters)} parameters fail; max relative error "
                f"{self.max_rel_error:.2e} ({self.verdict})"
            ]
            for res in self.parameters.values():
                lines.append("")
                lines += res._report_lines(max_rows)
            return lines
        status = "passed" if self.passed else "FAILED"
        lines = [
            f"gradient of {self.name} (shape {self.shape}) {status}: {self.n_failed} of "
            f"{self.n_checked} checked entries exceed rtol={self.rtol:g} (atol={self.atol:g}); "
            f"max relative error {self.max_rel_error:.2e}",
            f"verdict: {self.verdict}",
        ]
        if self.worst:
            lines.append("worst entries:")
            lines.append(f"  {'index':<14}{'analytic':>14}{'numeric':>14}{'rel. error':>12}")
            for e in self.worst[:max_rows]:
                lines.append(
                    f"  {e.name + str(list(e.index)):<14}{e.analytic:>14.6e}{e.numeric:>14.6e}"
                    f"{e.rel_error:>12.2e}"
                )
        if self.diagnosis:
            lines.append(f"likely cause: {self.diagnosis}")
        return lines

    def __str__(self) -> str:
        return self.report()


class GradientCheckError(AssertionError):
    """Raised by ``check_gradient(..., raise_exception=True)``; ``.result`` holds the details."""

    def __init__(self, result: GradientCheckResult) -> None:
        super().__init__(result.report())
        self.result = result


def _near(value: float, target: float, tol: float = 1e-3) -> bool:
    return abs(value - target) <= tol * abs(target)


def _diagnose(
    x: np.ndarray, analytic: np.ndarray, numeric: np.ndarray, flat_idx: np.ndarray, atol: float
) -> str | None:
    """Guess the cause of a failed check from the pattern of errors."""
    a = analytic.reshape(-1)[flat_idx]
    n = numeric
    scale = max(float(np.max(np.abs(n))), float(np.max(np.abs(a))), 0.0)
    if scale == 0:
        return None
    if np.all(np.abs(a) <= atol):
        return "the analytic gradient is all zeros: it was never filled in, or was overwritten"
    if np.all(np.abs(n) <= atol):
        return "the function does not change with x, but the analytic gradient is not zero"
    if (
        x.ndim == 2
        and x.shape[0] == x.shape[1]
        and len(flat_idx) == x.size
        and np.allclose(analytic.T, numeric.reshape(x.shape), rtol=1e-4, atol=10 * atol)
    ):
        return "the analytic gradient is transposed (rows and columns swapped)"
    sig = np.abs(n) > 100 * atol + 1e-6 * scale
    if sig.sum() >= 1:
        ratios = a[sig] / n[sig]
        c = float(np.median(ratios))
        if np.all(np.abs(ratios - c) <= 1e-3 * max(abs(c), 1e-12)):
            if _near(c, -1.0):
                return "the sign is flipped: analytic = -numeric (e.g. y - p instead of p - y)"
            if abs(c) < 1e-12:
                return "the analytic gradient is (almost) zero where it should not be"
            k = abs(c) if abs(c) >= 1 else 1 / abs(c)
            sign = "" if c > 0 else ", and the sign is flipped"
            if _near(k, round(k)) and round(k) >= 2:
                kk = round(k)
                if abs(c) > 1:
                    return (
                        f"analytic = {kk} x numeric{sign}: off by a constant factor of {kk} "
                        "(a missing division by N, the batch size? a factor 2 too many?)"
                    )
                return (
                    f"analytic = numeric / {kk}{sign}: off by a constant factor of {kk} "
                    "(divided by N twice? a missing factor 2, as in d(reg*W^2)/dW = 2*reg*W?)"
                )
            return f"analytic = {c:.4g} x numeric: off by a constant factor"
    xs = x.reshape(-1)[flat_idx]
    d = n - a
    ok = np.abs(xs) > 0
    if ok.sum() >= 2 and np.any(np.abs(d) > atol):
        ratios = d[ok] / xs[ok]
        c = float(np.median(ratios))
        if abs(c) > 0 and np.all(np.abs(ratios - c) <= 1e-3 * abs(c)):
            return (
                f"numeric - analytic = {c:.4g} x (the input itself): a term proportional to the "
                "parameters is missing or has the wrong factor; for a loss with reg*sum(W**2) the "
                "gradient needs + 2*reg*W"
            )
    bad = np.abs(a - n) > atol
    if 0 < bad.sum() <= max(1, len(flat_idx) // 20):
        return (
            "only a few isolated entries differ: if f has kinks (ReLU, max), a step of h may cross "
            "one; try a smaller h before looking for a bug"
        )
    return None


def _check_array(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    grad: np.ndarray,
    *,
    h: float,
    method: str,
    rtol: float,
    atol: float,
    num_checks: int | None,
    rng: np.random.Generator,
    name: str,
    n_worst: int,
) -> GradientCheckResult:
    fname = "check_gradient"
    if grad.shape != x.shape:
        hint = " (is it transposed?)" if grad.shape == x.shape[::-1] and x.ndim == 2 else ""
        raise ValueError(
            f"{fname}: gradient of {name} has shape {grad.shape} but {name} has shape "
            f"{x.shape}{hint}"
        )
    if num_checks is None or num_checks >= x.size:
        flat_idx = np.arange(x.size)
    else:
        flat_idx = np.sort(rng.choice(x.size, size=num_checks, replace=False))
    numeric = _estimate(f, x, flat_idx, h, method, fname)
    analytic = np.real(grad.reshape(-1)[flat_idx]).astype(np.float64)
    rel = relative_error(analytic, numeric, elementwise=True) if len(flat_idx) else np.zeros(0)
    close = np.abs(analytic - numeric) <= atol
    failed = ~(close | (rel <= rtol))
    # Entries that are both numerically zero have a meaningless relative error (1e-11 vs 0 is
    # "100%"); they are ranked last and left out of max_rel_error. Every other entry keeps its
    # true relative error, so the report shows the real worst entries even when all pass.
    negligible = np.maximum(np.abs(analytic), np.abs(numeric)) <= atol
    rel_eff = np.where(negligible, 0.0, rel)
    order = np.argsort(-np.nan_to_num(rel_eff, nan=np.inf), kind="stable")[:n_worst]
    worst = [
        GradientEntry(
            index=tuple(int(i) for i in np.unravel_index(flat_idx[k], x.shape)),
            analytic=float(analytic[k]),
            numeric=float(numeric[k]),
            rel_error=float(rel[k]),
            name=name,
        )
        for k in order
    ]
    max_rel = float(np.max(np.nan_to_num(rel_eff, nan=np.inf))) if len(flat_idx) else 0.0
    passed = not bool(failed.any())
    diagnosis = None if passed else _diagnose(x, np.real(grad), numeric, flat_idx, atol)
    return GradientCheckResult(
        passed=passed,
        max_rel_error=max_rel,
        worst=worst,
        verdict=verdict(max_rel, rtol=rtol),
        n_checked=len(flat_idx),
        n_failed=int(failed.sum()),
        rtol=rtol,
        atol=atol,
        method=method,
        shape=x.shape,
        name=name,
        diagnosis=diagnosis,
    )


def check_gradient(
    f: Callable[[Any], Any],
    x: ArrayLike | Mapping[str, ArrayLike],
    grad: ArrayLike | Mapping[str, ArrayLike],
    *,
    h: float | None = None,
    method: str = "central",
    rtol: float | None = None,
    atol: float | None = None,
    num_checks: int | None = None,
    seed: int = 0,
    raise_exception: bool = False,
    n_worst: int = 5,
) -> GradientCheckResult:
    r"""Compare an analytic gradient with a numerical one, entry by entry.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``; with a dict ``x``, ``f`` takes the dict (``f(params) -> loss``).
    x : array_like or dict of str to array_like
        The point, e.g. logits ``(N, C)``, weights ``W (D, C)`` or a network's ``params``.
        Never modified.
    grad : array_like or dict of str to array_like
        The analytic gradient to check: ``x``'s shape (the same keys and shapes for a dict).
    h : float, optional
        Step; see :func:`numerical_gradient`.
    method : {"central", "forward", "complex"}, default "central"
    rtol : float, optional
        Largest acceptable relative error. Defaults to 1e-4 (forward), 1e-6 (central) and 1e-10
        (complex step).
    atol : float, optional
        Entries whose absolute difference is at most ``atol`` pass whatever their relative error
        (both are numerically 0). Defaults to 1e-8, or 1e-13 for the complex step.
    num_checks : int, optional
        Check this many entries, drawn at random without replacement (for large parameters); all
        entries by default.
    seed : int, default 0
        Seed for the entries drawn with ``num_checks``.
    raise_exception : bool, default False
        Raise :class:`GradientCheckError` on failure instead of returning the result.
    n_worst : int, default 5
        How many of the worst entries to keep in the result.

    Returns
    -------
    result : GradientCheckResult
        ``.passed``, ``.max_rel_error``, ``.worst``, ``.verdict``, ``.diagnosis``; for a dict,
        ``.parameters`` holds one result per parameter. ``print(result)`` shows a report.

    Raises
    ------
    GradientCheckError
        With ``raise_exception=True`` when the check fails. The message names the parameter and
        its shape, counts the failing entries and lists the worst ones with their index, analytic
        and numeric values and relative error, and the likely cause.
    ValueError
        When ``grad`` does not have ``x``'s shape (or keys), or an option is invalid.

    Notes
    -----
    An entry fails when :math:`|a - n| > \mathrm{atol}` and
    :math:`|a - n| / \max(|a|, |n|) > \mathrm{rtol}`, with :math:`a` analytic and :math:`n`
    numeric.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import check_gradient, cross_entropy, cross_entropy_grad
    >>> z = np.random.default_rng(0).normal(size=(4, 3))
    >>> y = np.array([0, 2, 1, 1])
    >>> f = lambda v: cross_entropy(v, y)
    >>> check_gradient(f, z, cross_entropy_grad(z, y)).passed
    True
    >>> bad = check_gradient(f, z, 4 * cross_entropy_grad(z, y))  # forgot to divide by N = 4
    >>> bad.passed, bad.verdict.split(":")[0]
    (False, 'wrong')
    >>> print(bad.diagnosis)
    analytic = 4 x numeric: off by a constant factor of 4 (a missing division by N, the batch size? a factor 2 too many?)
    """
    fname = "check_gradient"
    h = _check_method(method, h, fname)
    rtol = _DEFAULT_RTOL[method] if rtol is None else float(rtol)
    atol = _DEFAULT_ATOL[method] if atol is None else float(atol)
    if not (rtol > 0 and atol >= 0):
        raise ValueError(f"{fname}: rtol must be > 0 and atol >= 0, got rtol={rtol}, atol={atol}")
    if num_checks is not None and (
        isinstance(num_checks, bool)
        or not isinstance(num_checks, numbers.Integral)
        or num_checks < 1
    ):
        raise ValueError(f"{fname}: num_checks must be a positive int or None, got {num_checks!r}")
    rng = np.random.default_rng(seed)
    options = dict(
        h=h, method=method, rtol=rtol, atol=atol, num_checks=num_checks, rng=rng, n_worst=n_worst
    )

    if isinstance(x, Mapping):
        if not isinstance(grad, Mapping):
            raise ValueError(f"{fname}: x is a dict of parameters, so grad must be a dict too")
        missing = set(x) - set(grad)
        if missing:
            raise ValueError(f"{fname}: grad has no entry for parameter(s) {sorted(missing)}")
        # Copies: f sees the other parameters too, and must not be able to modify x through them.
        base = {k: as_float_array(v, fname, f"x[{k!r}]").copy() for k, v in x.items()}
        results = {}
        for key, value in base.items():

            def g(a: np.ndarray, key: str = key) -> Any:
                return f({**base, key: a})

            gk = as_float_array(grad[key], fname, f"grad[{key!r}]")
            results[key] = _check_array(g, value, gk, name=key, **options)
        worst = sorted(
            (e for r in results.values() for e in r.worst),
            key=lambda e: -np.nan_to_num(e.rel_error, nan=np.inf),
        )[:n_worst]
        max_rel = max((r.max_rel_error for r in results.values()), default=0.0)
        failing = [k for k, r in results.items() if not r.passed]
        result = GradientCheckResult(
            passed=not failing,
            max_rel_error=max_rel,
            worst=worst,
            verdict=verdict(max_rel, rtol=rtol),
            n_checked=sum(r.n_checked for r in results.values()),
            n_failed=sum(r.n_failed for r in results.values()),
            rtol=rtol,
            atol=atol,
            method=method,
            name=", ".join(failing) if failing else "all parameters",
            diagnosis="; ".join(
                f"{k}: {results[k].diagnosis}" for k in failing if results[k].diagnosis
            )
            or None,
            parameters=results,
        )
    else:
        xa = as_float_array(x, fname, "x")
        ga = as_float_array(grad, fname, "grad")
        result = _check_array(f, xa, ga, name="x", **options)
    if raise_exception and not result.passed:
        raise GradientCheckError(result)
    return result
