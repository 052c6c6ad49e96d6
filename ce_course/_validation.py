"""Input checks shared by every public function.

Each helper takes the name of the calling function (``fname``) and of the argument (``argname``) so
that the error a learner sees names both, together with the bad value, for example
``cross_entropy: target 12 out of range for 10 classes``.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "as_float_array",
    "check_axis",
    "check_class_indices",
    "check_positive_scalar",
    "check_probabilities",
    "fmt_value",
]


def fmt_value(value: object, limit: int = 60) -> str:
    """Short printable form of a bad value for an error message."""
    text = np.array2string(value, threshold=6) if isinstance(value, np.ndarray) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_float_array(
    x: ArrayLike, fname: str, argname: str = "x", *, min_ndim: int = 0
) -> np.ndarray:
    """Return ``x`` as an inexact NumPy array without copying when possible.

    Float and complex inputs keep their dtype; integers and booleans become float64. Anything else
    (strings, objects, ragged lists) raises ``ValueError`` naming ``fname`` and ``argname``.
    """
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{fname}: {argname} is not an array of numbers ({exc})") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fc":
        raise ValueError(
            f"{fname}: {argname} must hold numbers, got dtype {arr.dtype} ({fmt_value(x)})"
        )
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{fname}: {argname} must have at least {min_ndim} dimension(s), got shape {arr.shape}"
        )
    return arr


def check_axis(axis: int, ndim: int, fname: str) -> int:
    """Normalise ``axis`` to a non-negative int, or raise ``ValueError`` naming ``fname``."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"{fname}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{fname}: axis {axis} is out of range for an array with {ndim} dimensions"
        )
    return int(axis) % ndim


def check_positive_scalar(value: object, fname: str, argname: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{fname}: {argname} must be a positive number, got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{fname}: {argname} must be a positive finite number, got {value!r}")
    return float(value)


def check_class_indices(y: ArrayLike, num_classes: int, fname: str, argname: str) -> np.ndarray:
    """Validate class labels and return them as an ``intp`` array (same shape as ``y``).

    Labels may be integers, or floats holding whole numbers (as ``np.loadtxt`` produces). Fractional,
    negative, too large, non-finite or non-numeric labels raise ``ValueError``.
    """
    arr = np.asarray(y)
    if arr.dtype.kind == "b":
        raise ValueError(f"{fname}: {argname} must hold integer class indices, got booleans")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            value = float(arr[bad].flat[0])  # a plain float: no np.float64(...) in the message
            raise ValueError(
                f"{fname}: {argname} {value!r} is not a whole number; class indices must be integers"
            )
    elif arr.dtype.kind not in "iu":
        raise ValueError(
            f"{fname}: {argname} must hold integer class indices, got dtype {arr.dtype}"
        )
    if arr.size:
        low, high = arr.min(), arr.max()
        if low < 0:
            raise ValueError(f"{fname}: {argname} {int(low)} is negative; class indices start at 0")
        if high >= num_classes:
            raise ValueError(
                f"{fname}: {argname} {int(high)} out of range for {num_classes} classes"
            )
    return arr.astype(np.intp, copy=False)


def check_probabilities(
    target: np.ndarray, shape: tuple[int, ...], fname: str, argname: str = "target"
) -> np.ndarray:
    """Validate a soft target: the logits' shape, entries in [0, 1], each row summing to one."""
    if target.shape != shape:
        raise ValueError(
            f"{fname}: {argname} of shape {target.shape} does not match logits of shape {shape}; "
            "probability targets must have the logits' shape"
        )
    if not np.all(np.isfinite(target)):
        raise ValueError(f"{fname}: {argname} contains nan or inf")
    if target.size and (target.min() < 0 or target.max() > 1):
        value = float(target.min() if target.min() < 0 else target.max())
        raise ValueError(
            f"{fname}: {argname} has entry {value!r} outside [0, 1]; not a distribution"
        )
    sums = target.sum(axis=-1)
    tol = max(1e-6, 64 * float(np.finfo(target.dtype).eps)) * max(1, shape[-1]) ** 0.5
    bad = np.abs(sums - 1) > tol
    if np.any(bad):
        value = np.asarray(sums)[bad].flat[0] if np.ndim(sums) else float(sums)
        raise ValueError(
            f"{fname}: {argname} rows must sum to 1 (a probability distribution), found a row "
            f"summing to {float(value)!r}"
        )
    return target
