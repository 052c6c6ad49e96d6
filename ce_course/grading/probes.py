"""Scalar test functions ("probes") handed to a submission's ``numerical_gradient``.

Exercise 07 grades ``numerical_gradient(f, x, h)``, which needs a function ``f``. A test case
names a probe and its parameters; the worker builds it with :func:`make_probe` (wrapped in a
:class:`RecordingProbe` that counts the calls) and the grader builds the very same function to
compute the expected gradient. Probes use NumPy only: nothing here calls :mod:`ce_course`, so a
probe never looks like a call to the reference implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["PROBES", "Probe", "RecordingProbe", "make_probe"]


class Probe:
    """A named scalar function with its parameters; what a test case stores.

    Parameters
    ----------
    name : str
        A key of :data:`PROBES`.
    **params
        Its parameters (arrays and numbers).
    """

    def __init__(self, name: str, **params: Any) -> None:
        if name not in PROBES:
            raise ValueError(f"Probe: unknown probe {name!r}; known: {sorted(PROBES)}")
        self.name = name
        self.params = params
        self._function: Callable[[Any], float] | None = None

    def function(self) -> Callable[[Any], float]:
        """The probe as a plain function ``f(x) -> float``."""
        if self._function is None:
            self._function = make_probe(self.name, self.params)
        return self._function

    def __call__(self, x: Any) -> float:
        return self.function()(x)

    def __repr__(self) -> str:
        return f"Probe({self.name!r})"


def _poly(params: Mapping[str, Any]) -> Callable[[Any], float]:
    a = np.asarray(params["a"], dtype=np.float64)

    def f(x: Any) -> float:
        x = np.asarray(x, dtype=np.float64).reshape(a.shape)
        return float(np.sum(a * x**3) + np.sum(x**2) - 2.0 * np.sum(x))

    return f


def _sin(params: Mapping[str, Any]) -> Callable[[Any], float]:
    w = np.asarray(params["w"], dtype=np.float64)

    def f(x: Any) -> float:
        x = np.asarray(x, dtype=np.float64).reshape(w.shape)
        return float(np.sum(np.sin(w * x)))

    return f


def _softmax_ce(params: Mapping[str, Any]) -> Callable[[Any], float]:
    y = np.asarray(params["y"], dtype=np.intp)
    shape = tuple(int(n) for n in params["shape"])

    def f(z: Any) -> float:
        z = np.asarray(z, dtype=np.float64).reshape(shape)
        m = z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.sum(np.exp(z - m), axis=1))
        return float(np.mean(lse - z[np.arange(shape[0]), y]))

    return f


def _linear(params: Mapping[str, Any]) -> Callable[[Any], float]:
    X = np.asarray(params["X"], dtype=np.float64)
    y = np.asarray(params["y"], dtype=np.intp)
    reg = float(params["reg"])
    C = int(params["C"])

    def f(W: Any) -> float:
        W = np.asarray(W, dtype=np.float64).reshape(X.shape[1], C)
        z = X @ W
        m = z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.sum(np.exp(z - m), axis=1))
        return float(np.mean(lse - z[np.arange(len(y)), y]) + reg * np.sum(W * W))

    return f


PROBES: dict[str, Callable[[Mapping[str, Any]], Callable[[Any], float]]] = {
    "poly": _poly,
    "sin": _sin,
    "softmax_ce": _softmax_ce,
    "linear_softmax": _linear,
}
"""Probe factories: ``PROBES[name](params) -> f``."""


def make_probe(name: str, params: Mapping[str, Any]) -> Callable[[Any], float]:
    """Build the probe ``name`` with ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> f = make_probe("poly", {"a": np.ones(2)})
    >>> f(np.array([1.0, 2.0]))  # (1 + 8) + (1 + 4) - 2 * 3
    8.0
    """
    if name not in PROBES:
        raise ValueError(f"make_probe: unknown probe {name!r}")
    base = PROBES[name]({k: v for k, v in params.items() if k != "ripple"})
    if "ripple" not in params:
        return base
    # ``ripple = (s, k)`` adds s * sum(sin(k x)): with k h near 0.1 its third derivative makes the
    # central difference differ from the exact gradient by far more than the tolerance, so only
    # a real finite difference at the given h matches the expected value
    s, k = (float(v) for v in np.asarray(params["ripple"], dtype=np.float64).reshape(2))

    def f(x: Any) -> float:
        value = base(x)
        return value + s * float(np.sum(np.sin(k * np.asarray(x, dtype=np.float64))))

    return f


class RecordingProbe:
    """A probe that counts its calls: what the submission's ``numerical_gradient`` receives.

    Attributes
    ----------
    calls : int
        How many times it was called.
    bad_shapes : list of tuple
        Shapes of arguments that did not have the expected number of entries.
    """

    def __init__(self, name: str, params: Mapping[str, Any]) -> None:
        self._f = make_probe(name, params)
        self.name = name
        self.calls = 0
        self.bad_shapes: list[tuple[int, ...]] = []

    def __call__(self, x: Any) -> float:
        self.calls += 1
        try:
            return self._f(x)
        except ValueError:
            shape = tuple(np.shape(x))
            if len(self.bad_shapes) < 3:
                self.bad_shapes.append(shape)
            raise ValueError(
                f"f: called with an argument of shape {shape} that does not have the shape of x"
            ) from None

    def __repr__(self) -> str:
        return f"<test function f ({self.name})>"
