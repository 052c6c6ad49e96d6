"""Evaluate a parsed answer at a numeric point, and render it as LaTeX.

Both walk the tree of :mod:`.parser` directly: no Python evaluation of text, no SymPy. Numeric
evaluation uses floats; an overflow, a logarithm of a non-positive number or a division by zero
gives ``nan`` for that point (the checker reports it), never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .parser import Node

__all__ = ["evaluate", "to_latex"]


class _Undefined(ArithmeticError):
    pass


def evaluate(
    node: Node,
    values: Mapping[str, Any],
    index: Mapping[str, int],
    sizes: Mapping[str, int],
    kinds: Mapping[str, str],
) -> float:
    """The value of ``node`` at one point.

    Parameters
    ----------
    node : Node
        A tree from :func:`~.parser.parse`.
    values : mapping
        Family name to a float (scalar) or a nested sequence / ndarray indexed like the family.
    index : mapping
        Value (0-based) of every free index letter.
    sizes : mapping
        Number of values of each index kind (``{"class": 3, "sample": 2}``).
    kinds : mapping
        Kind of each index letter.

    Returns
    -------
    float
        ``nan`` where the expression is undefined or overflows.
    """
    try:
        return _ev(node, values, dict(index), sizes, kinds)
    except (_Undefined, OverflowError, ZeroDivisionError, ValueError):
        return math.nan


def _ev(node: Node, values: Any, index: dict[str, int], sizes: Any, kinds: Any) -> float:
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "sym":
        v = values[node[1]]
        for letter in node[2]:
            v = v[index[letter]]
        return float(v)
    if kind == "add":
        return math.fsum(_ev(a, values, index, sizes, kinds) for a in node[1])
    if kind == "mul":
        out = 1.0
        for a in node[1]:
            out *= _ev(a, values, index, sizes, kinds)
        if math.isinf(out):
            raise _Undefined
        return out
    if kind == "neg":
        return -_ev(node[1], values, index, sizes, kinds)
    if kind == "pow":
        b = _ev(node[1], values, index, sizes, kinds)
        e = _ev(node[2], values, index, sizes, kinds)
        if b == 0 and e < 0:
            raise _Undefined
        if b < 0 and e != int(e):
            raise _Undefined
        out = b**e
        if isinstance(out, complex) or math.isinf(out):
            raise _Undefined
        return out
    if kind == "delta":
        return 1.0 if index[node[1]] == index[node[2]] else 0.0
    if kind == "sum":
        letter, body = node[1], node[2]
        total = []
        for k in range(sizes[kinds[letter]]):
            index[letter] = k
            total.append(_ev(body, values, index, sizes, kinds))
        del index[letter]
        return math.fsum(total)
    if kind == "fn":
        name = node[1]
        args = [_ev(a, values, index, sizes, kinds) for a in node[2]]
        x = args[0]
        if name == "exp":
            if x > 700:
                raise _Undefined
            return math.exp(x)
        if name == "log":
            if x <= 0:
                raise _Undefined
            return math.log(x)
        if name == "sqrt":
            if x < 0:
                raise _Undefined
            return math.sqrt(x)
        if name == "abs":
            return abs(x)
        if name == "step":
            return 1.0 if x > 0 else 0.0
        if name == "max":
            return max(args)
    raise ValueError(f"evaluate: unknown node {kind!r}")


# --------------------------------------------------------------------------------------------
# LaTeX
# --------------------------------------------------------------------------------------------

_PREC = {"add": 1, "neg": 2, "mul": 3, "pow": 5}
_LATEX_NAMES = {"eps": r"\varepsilon", "reg": r"\mathrm{reg}", "lam": r"\lambda"}


def _sym_latex(name: str, indices: tuple[str, ...]) -> str:
    base = _LATEX_NAMES.get(name, name if len(name) == 1 else rf"\mathrm{{{name}}}")
    if not indices:
        return base
    if name[-1].isdigit():  # W2 -> W^{(2)}? keep it simple: W_{2,dc}
        base = rf"{name[:-1]}_{{{name[-1]}}}"
        return rf"{{{base}}}_{{{','.join(indices)}}}"
    return rf"{base}_{{{','.join(indices)}}}"


def to_latex(node: Node) -> str:
    r"""LaTeX for a parsed answer, keeping the learner's structure (nothing is simplified).

    Examples
    --------
    >>> from .parser import Family, Vocabulary, parse
    >>> v = Vocabulary((Family("p", ("class",)),), {"i": "class", "j": "class"}, ("i", "j"),
    ...                frozenset({"delta"}))
    >>> to_latex(parse("p_i*(delta(i,j) - p_j)", v))
    'p_{i} \\left(\\delta_{i j} - p_{j}\\right)'
    """
    return _tex(node, 0)


def _wrap(text: str, inner: int, outer: int) -> str:
    return rf"\left({text}\right)" if inner < outer else text


def _tex(node: Node, outer: int) -> str:
    kind = node[0]
    if kind == "num":
        v = node[1]
        text = (
            str(v.numerator)
            if v.denominator == 1
            else rf"\frac{{{v.numerator}}}{{{v.denominator}}}"
        )
        return text
    if kind == "sym":
        return _sym_latex(node[1], node[2])
    if kind == "delta":
        return rf"\delta_{{{node[1]} {node[2]}}}"
    if kind == "add":
        parts = []
        for k, a in enumerate(node[1]):
            if a[0] == "neg":
                body = _tex(a[1], _PREC["neg"] + 1)
                parts.append(f"- {body}" if k else f"-{body}")
            else:
                body = _tex(a, _PREC["add"])
                parts.append(f"+ {body}" if k else body)
        return _wrap(" ".join(parts), _PREC["add"], outer)
    if kind == "neg":
        return _wrap(f"-{_tex(node[1], _PREC['neg'] + 1)}", _PREC["neg"], outer)
    if kind == "mul":
        num, den = [], []
        for a in node[1]:
            if a[0] == "pow" and a[2] == ("num", -1):
                den.append(a[1])
            else:
                num.append(a)
        sign = ""
        if num and num[0][0] == "neg":  # -p_i*p_j parses as (-p_i)*p_j; show it as -p_i p_j
            sign, num = "-", [num[0][1], *num[1:]]
        top = _smart_join(num) if num else "1"
        if den:
            bottom = _smart_join(den)
            frac = rf"\frac{{{top}}}{{{bottom}}}"
            return _wrap(sign + frac, _PREC["neg"] if sign else _PREC["pow"], outer)
        return _wrap(sign + top, _PREC["neg"] if sign else _PREC["mul"], outer)
    if kind == "pow":
        if node[2] == ("num", -1):
            return _wrap(rf"\frac{{1}}{{{_tex(node[1], 0)}}}", _PREC["pow"], outer)
        base = _tex(node[1], _PREC["pow"] + 1)
        return _wrap(f"{{{base}}}^{{{_tex(node[2], 0)}}}", _PREC["pow"], outer)
    if kind == "sum":
        return _wrap(rf"\sum_{{{node[1]}}} {_tex(node[2], _PREC['mul'])}", _PREC["mul"], outer)
    if kind == "fn":
        name, args = node[1], node[2]
        inner = ", ".join(_tex(a, 0) for a in args)
        if name == "exp":
            return rf"e^{{{inner}}}"
        if name == "sqrt":
            return rf"\sqrt{{{inner}}}"
        if name == "abs":
            return rf"\left|{inner}\right|"
        if name == "step":
            return rf"\mathbb{{1}}\left[{inner} > 0\right]"
        return rf"\{name}\left({inner}\right)" if name in ("log", "max") else f"{name}({inner})"
    return "?"


def _smart_join(factors: list[Node]) -> str:
    parts = [_tex(a, _PREC["mul"]) for a in factors]
    out = parts[0]
    for text in parts[1:]:
        # a number, a sign or a fraction after a factor needs a dot: 2 \frac{1}{2} reads as 2½
        number_next = text[:1].isdigit() or text.startswith("-")
        number_next = number_next or (text.startswith(r"\frac") and out[-1:].isdigit())
        sep = r" \cdot " if number_next else " "
        out = f"{out}{sep}{text}"
    return out
