"""Run-time detection of a graded function that calls a reference implementation.

While a graded function runs, :class:`ReferenceGuard` installs a profile hook
(:func:`sys.setprofile`) that sees every function call. A call that enters one of the numerics
modules of :mod:`ce_course` from outside them, and whose name is forbidden for the question (or is a
private helper such as ``_softmax_ce``), is recorded; so are calls into the SciPy functions that
duplicate a reference (``scipy.special.softmax`` ...) and any call into PyTorch, JAX, TensorFlow,
autograd or scikit-learn. The check keys on the *code object* that runs, so no alias, wrapper,
``functools.partial`` or ``__wrapped__`` hides the call.

The policy (which reference a question may use) is decided by the exercise definitions; this module
only enforces the names it is given. See :mod:`ce_course.grading` for the policy itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from types import FrameType
from typing import Any

import ce_course

__all__ = [
    "ALWAYS_FORBIDDEN_PACKAGES",
    "EXTERNAL_EQUIVALENTS",
    "REFERENCE_NAMES",
    "ReferenceGuard",
]

REFERENCE_NAMES: frozenset[str] = frozenset(
    n for n in ce_course.__all__ if n not in ("__version__", "GradientCheckError")
)
"""Public names of :mod:`ce_course` that a policy can allow or forbid."""

EXTERNAL_EQUIVALENTS: dict[str, str] = {
    "scipy.special.softmax": "softmax",
    "scipy.special.log_softmax": "log_softmax",
    "scipy.special.logsumexp": "logsumexp",
    "scipy.optimize.approx_fprime": "numerical_gradient",
    "scipy.optimize.check_grad": "check_gradient",
}
"""Functions of other libraries that do the job of a :mod:`ce_course` reference."""

ALWAYS_FORBIDDEN_PACKAGES: tuple[str, ...] = (
    "torch",
    "jax",
    "jaxlib",
    "tensorflow",
    "autograd",
    "sklearn",
)
"""Libraries a graded function may never use (automatic differentiation, ready-made losses)."""

_CE_DIR = os.path.dirname(os.path.realpath(ce_course.__file__))
_SCIPY_FILES = {
    os.path.join("scipy", "special", "_logsumexp.py"): "scipy.special",
    os.path.join("scipy", "optimize", "_optimize.py"): "scipy.optimize",
}


def _classify(filename: str) -> str | None:
    """``"ce_course"`` for the numerics modules, a package name for forbidden ones, else None."""
    if not filename or filename[0] == "<":
        return None
    real = os.path.realpath(filename)
    if os.path.dirname(real) == _CE_DIR:
        return "ce_course"
    for suffix, package in _SCIPY_FILES.items():
        if real.endswith(os.sep + suffix):
            return package
    parts = real.split(os.sep)
    for package in ALWAYS_FORBIDDEN_PACKAGES:
        if package in parts and ("site-packages" in parts or "dist-packages" in parts):
            return package
    return None


class ReferenceGuard:
    """Context manager recording forbidden calls made while it is active.

    Parameters
    ----------
    forbidden : iterable of str
        Public :mod:`ce_course` names the graded function may not call (e.g. ``{"softmax"}``).
        SciPy equivalents (:data:`EXTERNAL_EQUIVALENTS`) follow their :mod:`ce_course`
        counterpart; private helpers and :data:`ALWAYS_FORBIDDEN_PACKAGES` are always forbidden.

    Attributes
    ----------
    violations : list of str
        What was called, e.g. ``["ce_course.softmax"]``, in order of first use.
    tampered : bool
        The profile hook was removed or replaced while the function ran.

    Examples
    --------
    >>> import numpy as np
    >>> import ce_course
    >>> def my_softmax(x):
    ...     return ce_course.softmax(x)
    >>> with ReferenceGuard({"softmax"}) as guard:
    ...     _ = my_softmax(np.zeros(3))
    >>> guard.violations
    ['ce_course.softmax']
    """

    def __init__(self, forbidden: Iterable[str]) -> None:
        self.forbidden = frozenset(forbidden)
        self.violations: list[str] = []
        self.tampered = False
        self.active = False
        self._cache: dict[str, str | None] = {}
        self._previous: Any = None

    def _kind(self, filename: str) -> str | None:
        try:
            return self._cache[filename]
        except KeyError:
            kind = self._cache[filename] = _classify(filename)
            return kind

    def _record(self, what: str) -> None:
        if what not in self.violations and len(self.violations) < 10:
            self.violations.append(what)

    def _hook(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            kind = self._kind(code.co_filename)
            if kind is None:
                return
            back = frame.f_back
            if back is not None and self._kind(back.f_code.co_filename) == kind:
                return  # an internal call: only entry points count
            name = getattr(code, "co_qualname", code.co_name).split(".")[0]
            if kind == "ce_course":
                if name != "<module>" and (name.startswith("_") or name in self.forbidden):
                    self._record(f"ce_course.{name}")
            elif kind in ("scipy.special", "scipy.optimize"):
                equivalent = EXTERNAL_EQUIVALENTS.get(f"{kind}.{name}")
                if equivalent is not None and equivalent in self.forbidden:
                    self._record(f"{kind}.{name}")
            else:
                self._record(kind)
        elif event == "c_call":
            module = getattr(arg, "__module__", None)
            if isinstance(module, str):
                top = module.split(".", 1)[0]
                if top in ALWAYS_FORBIDDEN_PACKAGES:
                    self._record(top)

    def __enter__(self) -> ReferenceGuard:
        self._previous = sys.getprofile()
        sys.setprofile(self._hook)
        self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        current = sys.getprofile()
        if (
            getattr(current, "__func__", None) is not ReferenceGuard._hook
            or getattr(current, "__self__", None) is not self
        ):
            self.tampered = True
        self.active = False
        sys.setprofile(self._previous)
