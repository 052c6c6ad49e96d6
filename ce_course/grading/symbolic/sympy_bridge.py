"""Parsed answers as SymPy expressions, and an equivalence proof that cannot hang its caller.

:func:`to_sympy` turns a tree of :mod:`.parser` into a SymPy expression at one concrete choice of
the free indices, with every sum unrolled over a concrete number of values and every
``delta(i, j)`` decided. The tree is walked node by node; the learner's text is never given to
``sympify`` or ``parse_expr``.

:func:`prove_in_subprocess` runs a proof in a forked child with a wall-clock limit, so that a
simplification that explodes costs at most that limit (the child is killed); it returns None on
a timeout or when the platform has no ``fork``.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable, Mapping
from typing import Any

from .parser import Node

__all__ = ["DISPROVED", "constant_difference", "is_zero", "prove_in_subprocess", "to_sympy"]

DISPROVED = "disproved"
"""What a proof returns when SymPy shows the two sides differ (by a nonzero rational constant)."""


def to_sympy(
    node: Node,
    values: Mapping[str, Any],
    index: Mapping[str, int],
    sizes: Mapping[str, int],
    kinds: Mapping[str, str],
) -> Any:
    """SymPy expression of ``node`` with ``values`` (SymPy objects, nested lists per family)."""
    import sympy

    def go(n: Node, idx: dict[str, int]) -> Any:
        kind = n[0]
        if kind == "num":
            return sympy.Rational(n[1].numerator, n[1].denominator)
        if kind == "sym":
            v = values[n[1]]
            for letter in n[2]:
                v = v[idx[letter]]
            return v
        if kind == "add":
            return sympy.Add(*(go(a, idx) for a in n[1]))
        if kind == "mul":
            return sympy.Mul(*(go(a, idx) for a in n[1]))
        if kind == "neg":
            return -go(n[1], idx)
        if kind == "pow":
            return sympy.Pow(go(n[1], idx), go(n[2], idx))
        if kind == "delta":
            return sympy.Integer(1 if idx[n[1]] == idx[n[2]] else 0)
        if kind == "sum":
            letter = n[1]
            terms = []
            for k in range(sizes[kinds[letter]]):
                terms.append(go(n[2], {**idx, letter: k}))
            return sympy.Add(*terms)
        if kind == "fn":
            args = [go(a, idx) for a in n[2]]
            fn = {
                "exp": sympy.exp,
                "log": sympy.log,
                "sqrt": sympy.sqrt,
                "abs": sympy.Abs,
                "step": sympy.Heaviside,
                "max": sympy.Max,
            }[n[1]]
            return fn(*args)
        raise ValueError(f"to_sympy: unknown node {kind!r}")

    return go(node, dict(index))


def is_zero(expr: Any) -> bool:
    """Whether SymPy can show that ``expr`` is identically 0 (expand, cancel, then simplify)."""
    import sympy

    if expr == 0:
        return True
    step = sympy.expand(expr, power_exp=True, log=True, force=True)
    if step == 0:
        return True
    step = sympy.cancel(sympy.together(step))
    if step == 0:
        return True
    return bool(sympy.simplify(step) == 0)


def constant_difference(expr: Any) -> Any:
    """The nonzero rational number ``expr`` reduces to, or None.

    An answer that differs from the derivative by a constant too small for the numeric test
    (``-p_i*p_j + 0.0000000001``) is wrong, and SymPy can show it exactly.
    """
    import sympy

    step = sympy.expand(expr, power_exp=True, log=True, force=True)
    step = sympy.cancel(sympy.together(step))
    if step.is_Rational and step != 0:
        return step
    return None


_WARM = False


def _warm_up() -> None:
    """Import SymPy and the modules its simplification loads lazily, in this process, once.

    A forked child then never needs the import lock, which another thread of the parent (the
    grader's pool, a Jupyter kernel's) may have held at the moment of the fork.
    """
    global _WARM
    if _WARM:
        return
    import sympy

    u, v = sympy.symbols("u v", positive=True)
    is_zero(sympy.exp(sympy.log(u) - sympy.log(v)) * v / u - 1)
    is_zero(sympy.Heaviside(u) * sympy.Max(0, v) / v + sympy.Abs(u) - 1 - u)
    _WARM = True


def prove_in_subprocess(work: Callable[[], Any], timeout: float) -> bool | str | None:
    """Run ``work()`` in a forked child; its result, or None after ``timeout`` seconds.

    The child is killed at the deadline, so the caller waits at most ``timeout`` seconds whatever
    ``work`` does. Without ``os.fork`` (Windows) the proof is skipped and None returned.
    """
    if not hasattr(os, "fork"):
        return None
    _warm_up()

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read_fd)
            ok = work()
            os.write(write_fd, b"d" if ok == DISPROVED else b"1" if ok is True else b"0")
        except BaseException:
            os.write(write_fd, b"e")
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    answer = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if ready:
                answer = os.read(read_fd, 1)
                break
    finally:
        os.close(read_fd)
        if not answer:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored)
            pass
    if answer == b"1":
        return True
    if answer == b"0":
        return False
    if answer == b"d":
        return DISPROVED
    return None
