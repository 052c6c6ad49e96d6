"""Is a derivation answer right, and if not, which step went wrong?

A :class:`Derivation` is one question: what to differentiate, the symbols and facts the answer may
use (a :class:`~.parser.Vocabulary`), the expected expression, and a tree of anticipated wrong
answers (:class:`AnticipatedMistake`), each with its explanation and partial credit.

:func:`check_answer` decides in three steps:

1. **Parse** with the closed grammar of :mod:`.parser` (an error names the column).
2. **Compare numerically** at points that satisfy the question's facts, for every choice of the
   free indices: several class counts ``C``, logits at random, ``p = softmax(z)`` (so
   ``Σ_k p_k = 1`` and ``p_k > 0``), ``y`` a distribution or one-hot as stated, ``i ≠ j`` where
   stated. Different at one point means wrong, and the point is shown.
3. **Prove with SymPy** when the numbers agree: at one class count, with ``p`` on the simplex
   (``p_C = 1 - Σ_{k<C} p_k``, or ``p_k = u_k / Σ_m u_m`` with ``z_k = log u_k`` when logits
   appear), every sum unrolled and every delta decided, for one choice of the free indices per
   pattern of equalities among them (class labels are interchangeable, so that covers every
   choice). The proof runs in a child process killed after a few seconds; if it does not finish
   the answer stands on the numerical comparison, and the feedback says so.

A wrong answer is matched against the anticipated mistakes (numerically, at the same points);
failing that, the feedback names the test it fails: a constant factor (the sign, ``N``, ``T``,
2...), a property of the true answer ("not 0 when summed over i"), or the first point where it
differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np

from .evaluate import evaluate, to_latex
from .parser import Node, ParseError, Vocabulary, parse

__all__ = [
    "AnticipatedMistake",
    "Derivation",
    "DerivationResult",
    "Instance",
    "check_answer",
]

RTOL = 1e-9
ATOL = 1e-12
PROOF_SECONDS = 3.0


@dataclass(frozen=True)
class AnticipatedMistake:
    """A wrong answer a learner is likely to give, and what to tell them.

    Parameters
    ----------
    key : str
        Short identifier (``"diag-for-offdiag"``).
    expression : str
        The wrong answer, in the grammar of :mod:`.parser`.
    message : str
        The explanation: which step went wrong.
    credit : float
        Share of the points it still earns (0 to 1).
    """

    key: str
    expression: str
    message: str
    credit: float = 0.0


@dataclass(frozen=True)
class Derivation:
    """One derivation question.

    Parameters
    ----------
    name : str
        Its name in ``check(name)`` (``"jacobian_offdiag"``); the notebook variable is
        ``answer_<name>``.
    exercise : str
        The exercise notebook it belongs to (``"04_jacobian"``).
    title : str
        One line: what to derive.
    statement : str
        Markdown for the notebook: the question, its symbols and its assumptions.
    vocab : Vocabulary
    answer : str
        The expected answer (trusted text of the grammar).
    mistakes : tuple of AnticipatedMistake
        Checked in order; the first that matches gives the feedback.
    distinct : tuple of (str, str)
        Pairs of free indices that are different (``(("i", "j"),)`` for ``i ≠ j``).
    one_hot : bool
        ``y`` is one-hot (the label is chosen along with the free indices); else ``y`` is any
        distribution.
    zero_sum : str, optional
        A free index over which the true answer sums to 0; a wrong answer that does not is told.
    zero_sum_reason : str
        Why it must (for that message).
    ranges : dict
        ``name -> (low, high, signed)``: how scalars are drawn (signed: ± the range).
    nice : dict
        Values of the first, "readable" point, which the feedback quotes.
    sign_cases : tuple of str
        Scalars proved separately for positive and negative values (``("a",)`` for ReLU).
    points : float
        Points of the public check; ``hidden_points`` those of the hidden one.
    """

    name: str
    exercise: str
    title: str
    statement: str
    vocab: Vocabulary
    answer: str
    mistakes: tuple[AnticipatedMistake, ...] = ()
    distinct: tuple[tuple[str, str], ...] = ()
    one_hot: bool = False
    zero_sum: str | None = None
    zero_sum_reason: str = ""
    ranges: dict[str, tuple[float, float, bool]] = field(default_factory=dict)
    nice: dict[str, Any] = field(default_factory=dict)
    sign_cases: tuple[str, ...] = ()
    points: float = 2.0
    hidden_points: float = 1.0

    @property
    def variable(self) -> str:
        """The notebook variable that holds the learner's answer."""
        return f"answer_{self.name}"

    def expected_tree(self) -> Node:
        """The parsed expected answer."""
        return _parse_cached(self, self.answer)

    def families(self) -> dict[str, tuple[str, ...]]:
        """Family name to its index kinds."""
        return {f.name: f.domains for f in self.vocab.families}


_TREES: dict[tuple[str, str], Node] = {}


def _parse_cached(d: Derivation, text: str) -> Node:
    key = (d.name, text)
    if key not in _TREES:
        _TREES[key] = parse(text, d.vocab)
    return _TREES[key]


# --------------------------------------------------------------------------------------------
# Points
# --------------------------------------------------------------------------------------------


@dataclass
class Instance:
    """One numeric point: sizes, values of every family, and a readable description."""

    sizes: dict[str, int]
    values: dict[str, Any]
    shown: str
    label_free: bool = True


_DEFAULT_RANGES: dict[str, tuple[float, float, bool]] = {
    "T": (0.5, 3.0, False),
    "eps": (0.05, 0.4, False),
    "reg": (0.05, 1.0, False),
    "h": (0.01, 0.5, False),
}


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    if float(x).is_integer() and abs(x) < 1e6:
        return str(int(x))
    text = f"{x:.3g}"
    return text.replace("-", "−")


def _fmt_apart(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` with enough digits that they read differently (at most 12)."""
    for digits in (3, 6, 9, 12):
        sa, sb = (_fmt(x) if digits == 3 else f"{x:.{digits}g}".replace("-", "−") for x in (a, b))
        if sa != sb:
            break
    return sa, sb


def _fmt_vec(v: Any) -> str:
    arr = np.asarray(v)
    if arr.ndim == 1:
        return "(" + ", ".join(_fmt(float(a)) for a in arr) + ")"
    return "[" + ", ".join(_fmt_vec(row) for row in arr) + "]"


def make_instance(
    d: Derivation, rng: np.random.Generator | None, sizes: dict[str, int]
) -> Instance:
    """A point satisfying the question's facts; ``rng=None`` gives the readable one (``nice``)."""
    fams = d.families()
    values: dict[str, Any] = {}
    nice = rng is None
    gen = rng if rng is not None else np.random.default_rng(12345)
    C = sizes["class"]
    for name, doms in fams.items():
        if doms:
            continue
        if name == "N":
            values[name] = float(sizes["sample"])
        elif name == "C":
            values[name] = float(C)
        elif nice and name in d.nice:
            values[name] = float(d.nice[name])
        else:
            lo, hi, signed = d.ranges.get(name, _DEFAULT_RANGES.get(name, (0.3, 2.0, True)))
            v = float(gen.uniform(lo, hi))
            values[name] = -v if signed and gen.random() < 0.5 else v
    T = values.get("T", 1.0)
    for name in ("p", "z"):
        if fams.get(name):
            doms = fams[name]
            shape = tuple(sizes[k] for k in doms)
            if nice and "p" in d.nice:
                p = np.asarray(d.nice["p"], dtype=float)
            else:
                p = _softmax(gen.normal(scale=1.2, size=shape))
            values["p"] = p
            # softmax(z / T) = p; the shift makes sum_k exp(z_k) differ from 1
            shift = 0.7 if nice else gen.uniform(-2.0, 2.0, size=(*shape[:-1], 1))
            values["z"] = T * (np.log(p) + shift)
            break
    if fams.get("y"):
        doms = fams["y"]
        shape = tuple(sizes[k] for k in doms)
        if d.one_hot:
            values["y"] = None  # chosen with the indices
        elif nice and "y" in d.nice:
            values["y"] = np.asarray(d.nice["y"], dtype=float)
        else:
            values["y"] = gen.dirichlet(np.ones(shape[-1]), size=shape[:-1] or None)
    for name, doms in fams.items():
        if doms and name not in values:
            shape = tuple(sizes[k] for k in doms)
            if nice and name in d.nice:
                values[name] = np.asarray(d.nice[name], dtype=float)
            else:
                values[name] = gen.normal(size=shape)
    if _p_is_softmax_of_xwb(d):
        # P = softmax(XW + b) row by row, so an answer that writes p out in x, W, b is judged
        # at a point where it means the same as p
        values["p"] = _softmax(values["x"] @ values["W"] + values["b"])
    shown = []
    for name in ("p", "z") if "p" in fams else ("z",):
        if name in fams and fams[name] and name in values:
            shown.append(f"{name} = {_fmt_vec(values[name])}")
            break
    if "y" in fams and fams["y"] and values.get("y") is not None:
        shown.append(f"y = {_fmt_vec(values['y'])}")
    for name, doms in fams.items():
        if name in ("p", "z", "y") and doms:
            continue
        if doms:
            shown.append(f"{name} = {_fmt_vec(values[name])}")
        else:
            shown.append(f"{name} = {_fmt(values[name])}")
    return Instance(dict(sizes), values, ", ".join(shown))


def _assignments(d: Derivation, inst: Instance) -> Iterator[dict[str, int]]:
    """Every choice of the free indices (and of the one-hot label) allowed by the question."""
    letters = list(d.vocab.free)
    ranges = [range(inst.sizes[d.vocab.indices[k]]) for k in letters]
    if d.one_hot:
        letters.append("label")
        ranges.append(range(inst.sizes["class"]))
    for combo in product(*ranges):
        idx = dict(zip(letters, combo, strict=True))
        if all(idx[a] != idx[b] for a, b in d.distinct):
            yield idx


def _values_for(d: Derivation, inst: Instance, idx: Mapping[str, int]) -> dict[str, Any]:
    if not d.one_hot:
        return inst.values
    y = np.zeros(inst.sizes["class"])
    y[idx["label"]] = 1.0
    return {**inst.values, "y": y}


def _describe_point(d: Derivation, inst: Instance, idx: Mapping[str, int]) -> str:
    parts = [inst.shown] if inst.shown else []
    if d.one_hot:
        y = np.zeros(inst.sizes["class"])
        y[idx["label"]] = 1.0
        parts.append(f"y = {_fmt_vec(y)}")
    parts += [f"{k} = {v}" for k, v in idx.items() if k != "label"]  # 0-based, as in the book
    return ", ".join(parts)


def instances(d: Derivation, *, hidden: bool) -> list[Instance]:
    """The points of the public check (``hidden=False``) or of the hidden one."""
    base = {"sample": 2, "feature": 2, "hidden": 2}
    if not hidden:
        rng = np.random.default_rng(_seed(d.name))
        out = [make_instance(d, None, {**base, "class": 3})]
        out += [make_instance(d, rng, {**base, "class": c, "sample": 3}) for c in (3, 4)]
        out += [make_instance(d, rng, {**base, "class": 3}) for _ in range(2 ** len(d.sign_cases))]
        return _alternate_signs(d, out)
    rng = np.random.default_rng(_seed(d.name) + 7919)
    out = [
        make_instance(d, rng, {"class": c, "sample": n, "feature": f, "hidden": 3})
        for c, n, f in ((2, 1, 3), (5, 4, 2), (7, 2, 3), (4, 3, 1))
    ]
    out += [
        make_instance(d, rng, {"class": 3, "sample": 2, "feature": 2, "hidden": 2})
        for _ in range(2 ** len(d.sign_cases))
    ]
    return _alternate_signs(d, out)


def _alternate_signs(d: Derivation, insts: list[Instance]) -> list[Instance]:
    """Give each scalar of ``d.sign_cases`` both signs across the points."""
    for k, inst in enumerate(insts):
        for m, name in enumerate(d.sign_cases):
            inst.values[name] = abs(inst.values[name]) * (-1 if (k >> m) & 1 else 1)
            inst.shown = ", ".join(
                f"{name} = {_fmt(inst.values[name])}" if part.startswith(f"{name} = ") else part
                for part in inst.shown.split(", ")
            )
    return insts


def _seed(name: str) -> int:
    return sum((k + 1) * ord(ch) for k, ch in enumerate(name)) % 100003


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """Values of one expression at every (instance, assignment)."""

    points: list[tuple[int, dict[str, int]]]
    values: list[float]


def _table(d: Derivation, tree: Node, insts: list[Instance]) -> _Table:
    points, vals = [], []
    kinds = d.vocab.indices
    for k, inst in enumerate(insts):
        for idx in _assignments(d, inst):
            v = evaluate(tree, _values_for(d, inst, idx), idx, inst.sizes, kinds)
            points.append((k, idx))
            vals.append(v)
    return _Table(points, vals)


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b), 1.0)


def _same(t1: _Table, t2: _Table) -> bool:
    return all(_close(a, b) for a, b in zip(t1.values, t2.values, strict=True))


@dataclass
class DerivationResult:
    """The verdict on one answer.

    Attributes
    ----------
    name : str
        The question.
    answer : str
        The learner's text (at most 500 characters of it).
    status : str
        ``correct``, ``anticipated`` (a known mistake), ``wrong``, ``parse_error`` or
        ``empty`` (not answered yet).
    credit : float
        Share of the points earned, 0 to 1.
    key : str
        The mistake's key, or the failed test (``sign``, ``factor``, ``zero-sum``, ``differs``,
        ``constant`` (SymPy shows a tiny constant offset), ``undefined``, ``parse``, ``empty``); ``""`` when correct.
    message : str
        What the learner is told.
    latex : str
        The answer in LaTeX (``""`` if it did not parse).
    proved : bool or None
        For a correct answer: SymPy proved it (True) or did not finish (None).
    """

    name: str
    answer: str
    status: str
    credit: float = 0.0
    key: str = ""
    message: str = ""
    latex: str = ""
    proved: bool | None = None

    @property
    def correct(self) -> bool:
        """Whether the answer is accepted."""
        return self.status == "correct"

    @property
    def line(self) -> str:
        """The message on one line (a parse error without its caret), for reports."""
        return self.message.splitlines()[0] if self.message else ""


def _ratio_names(d: Derivation, inst: Instance) -> list[tuple[str, Callable[[Instance], float]]]:
    names: list[tuple[str, Callable[[Instance], float]]] = []
    for fam in d.vocab.families:
        if not fam.domains and fam.name in inst.values:
            nm = fam.name

            def get(i: Instance, nm: str = nm) -> float:
                return float(i.values[nm])

            names.append((nm, get))
    return names


def _explain_wrong(
    d: Derivation, tree: Node, mine: _Table, want: _Table, insts: list[Instance]
) -> tuple[str, str]:
    """``(key, message)`` for an unanticipated wrong answer."""
    # Undefined where the true answer is defined.
    for (k, idx), a, b in zip(mine.points, mine.values, want.values, strict=True):
        if math.isnan(a) and not math.isnan(b):
            return (
                "undefined",
                f"your expression is undefined (a log of a non-positive number, a division by 0, "
                f"or an overflow) at {_describe_point(d, insts[k], idx)}, where the derivative "
                f"is {_fmt(b)}",
            )
    # A constant factor, or a factor equal to a scalar of the question.
    ratios = [a / b for a, b in zip(mine.values, want.values, strict=True) if abs(b) > 1e-9]
    zeros_ok = all(
        abs(a) <= 1e-9 for a, b in zip(mine.values, want.values, strict=True) if abs(b) <= 1e-9
    )
    if ratios and zeros_ok:
        r0 = ratios[0]
        if all(abs(r - r0) <= 1e-7 * max(1.0, abs(r0)) for r in ratios):
            if abs(r0 + 1) < 1e-9:
                return "sign", "your expression has the wrong sign: it is minus the derivative"
            if abs(r0) < 1e-12:
                return "zero", "your expression is 0 wherever the derivative is not"
            shown, _ = _fmt_apart(r0, 1.0)
            return (
                "factor",
                f"your expression is {shown} times the derivative (a constant factor)",
            )
        for nm, get in _ratio_names(d, insts[0]):
            for power, word in ((1, f"{nm} times"), (-1, f"1/{nm} times"), (2, f"{nm}² times")):
                ok = True
                for (k, _), a, b in zip(mine.points, mine.values, want.values, strict=True):
                    if abs(b) <= 1e-9:
                        continue
                    if not _close(a / b, get(insts[k]) ** power):
                        ok = False
                        break
                if ok:
                    return "factor", f"your expression is {word} the derivative"
    # A property of the true answer.
    if d.zero_sum is not None:
        letter = d.zero_sum
        node = ("sum", letter, tree)
        free = tuple(f for f in d.vocab.free if f != letter)
        sub = Derivation(**{**d.__dict__, "vocab": _with_free(d.vocab, free), "distinct": ()})
        for inst in insts:
            for idx in _assignments(sub, inst):
                v = evaluate(node, _values_for(sub, inst, idx), idx, inst.sizes, d.vocab.indices)
                if not _close(v, 0.0):
                    where = _describe_point(sub, inst, idx)
                    return (
                        "zero-sum",
                        f"your expression is not 0 when summed over {letter} (it sums to "
                        f"{_fmt(v)} at {where}); {d.zero_sum_reason}",
                    )
    # The first point where it differs.
    for (k, idx), a, b in zip(mine.points, mine.values, want.values, strict=True):
        if not _close(a, b):
            yours, expected = _fmt_apart(a, b)
            return (
                "differs",
                f"it differs at {_describe_point(d, insts[k], idx)}: yours {yours}, "
                f"expected {expected}",
            )
    return "differs", "it differs from the derivative"


def _with_free(v: Vocabulary, free: tuple[str, ...]) -> Vocabulary:
    return Vocabulary(v.families, v.indices, free, v.functions)


# --------------------------------------------------------------------------------------------
# Proof
# --------------------------------------------------------------------------------------------


def _restricted_growth(n: int) -> Iterator[tuple[int, ...]]:
    """Every pattern of equalities among ``n`` indices, each once (0, 0, 1 = first two equal)."""

    def rec(prefix: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        if len(prefix) == n:
            yield prefix
            return
        top = max(prefix, default=-1)
        for v in range(top + 2):
            yield from rec((*prefix, v))

    yield from rec(())


def _symbolic_values(d: Derivation, sizes: dict[str, int], signs: dict[str, int]) -> dict:
    import sympy

    fams = d.families()
    out: dict[str, Any] = {}
    C = sizes["class"]
    for name, doms in fams.items():
        if doms:
            continue
        if name == "N":
            out[name] = sympy.Integer(sizes["sample"])
        elif name == "C":
            out[name] = sympy.Integer(C)
        elif name in signs:
            s = sympy.Symbol(f"s_{name}", positive=True)
            out[name] = s if signs[name] > 0 else -s
        else:
            lo, _, signed = d.ranges.get(name, _DEFAULT_RANGES.get(name, (0.3, 2.0, True)))
            out[name] = sympy.Symbol(f"v_{name}", real=True, positive=not signed and lo > 0)

    def rows(prefix: str, shape: tuple[int, ...], simplex: bool, positive: bool = True) -> Any:
        if len(shape) == 1:
            syms = [
                sympy.Symbol(f"{prefix}{k}", positive=True)
                if positive
                else sympy.Symbol(f"{prefix}{k}", real=True)
                for k in range(shape[0])
            ]
            if simplex:
                syms[-1] = 1 - sympy.Add(*syms[:-1])
            return syms
        return [rows(f"{prefix}{r}_", shape[1:], simplex, positive) for r in range(shape[0])]

    T = out.get("T", sympy.Integer(1))
    if (fams.get("z")) or (fams.get("p")):
        doms = fams.get("z") or fams.get("p")
        shape = tuple(sizes[k] for k in doms)
        if "z" in fams:  # z_k = T log u_k, so that softmax(z / T)_k = u_k / sum_m u_m
            u = rows("u", shape, False)

            def build(uu: Any) -> tuple[Any, Any]:
                if not isinstance(uu[0], list):
                    s = sympy.Add(*uu)
                    return [x / s for x in uu], [T * sympy.log(x) for x in uu]
                pairs = [build(r) for r in uu]
                return [a for a, _ in pairs], [b for _, b in pairs]

            out["p"], out["z"] = build(u)
        else:
            out["p"] = rows("p", shape, True)
    if "y" in fams and fams["y"] and not d.one_hot:
        out["y"] = rows("y", tuple(sizes[k] for k in fams["y"]), True)
    for name, doms in fams.items():
        if doms and name not in out and name != "y":
            out[name] = rows(f"{name}", tuple(sizes[k] for k in doms), False, positive=False)
    return out


def _prove(d: Derivation, tree: Node, expected: Node) -> bool | str:
    """Whether SymPy shows ``tree == expected`` (see the module docstring). Runs in a child.

    ``DISPROVED`` when it shows instead that the two differ by a nonzero rational constant.
    """
    import sympy

    letters = list(d.vocab.free)
    kinds = dict(d.vocab.indices)
    by_kind: dict[str, list[str]] = {}
    for k in letters:
        by_kind.setdefault(kinds[k], []).append(k)
    if d.one_hot:
        by_kind.setdefault("class", []).append("label")
    sizes = {"class": 3, "sample": 2, "feature": 2, "hidden": 2}
    for kind, ls in by_kind.items():
        sizes[kind] = max(sizes[kind], len(ls) + 1)
    sign_choices = list(product((1, -1), repeat=len(d.sign_cases)))
    per_kind = [list(_restricted_growth(len(ls))) for ls in by_kind.values()]
    for signs in sign_choices:
        values = _symbolic_values(d, sizes, dict(zip(d.sign_cases, signs, strict=True)))
        for patterns in product(*per_kind):
            idx: dict[str, int] = {}
            for ls, pat in zip(by_kind.values(), patterns, strict=True):
                idx.update(zip(ls, pat, strict=True))
            if any(idx[a] == idx[b] for a, b in d.distinct):
                continue
            vals = values
            if d.one_hot:
                vals = {
                    **values,
                    "y": [sympy.Integer(int(k == idx["label"])) for k in range(sizes["class"])],
                }
            a = _to_sympy(tree, vals, idx, sizes, kinds)
            b = _to_sympy(expected, vals, idx, sizes, kinds)
            if not _is_zero(a - b):
                from .sympy_bridge import DISPROVED, constant_difference

                return DISPROVED if constant_difference(a - b) is not None else False
    return True


def _to_sympy(*args: Any) -> Any:
    from .sympy_bridge import to_sympy

    return to_sympy(*args)


def _is_zero(expr: Any) -> bool:
    from .sympy_bridge import is_zero

    return is_zero(expr)


# --------------------------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------------------------


def check_answer(
    d: Derivation,
    answer: Any,
    *,
    hidden: bool = False,
    prove: bool = True,
    proof_seconds: float = PROOF_SECONDS,
) -> DerivationResult:
    """Grade one answer to ``d``.

    Parameters
    ----------
    d : Derivation
    answer : str
        The learner's text.
    hidden : bool
        Use the hidden points (more class counts, other random points) instead of the public ones.
    prove : bool
        Try a SymPy proof when the numbers agree (in a child process, ``proof_seconds`` at most).

    Returns
    -------
    DerivationResult
    """
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return DerivationResult(
            d.name, "", "empty", key="empty", message=f"not answered yet: set {d.variable}"
        )
    if not isinstance(answer, str):
        return DerivationResult(
            d.name,
            "",
            "parse_error",
            key="parse",
            message=f'{d.variable} must be a string such as "-p_i*p_j", got '
            f"{type(answer).__name__}",
        )
    try:
        tree = parse(answer, d.vocab)
    except ParseError as exc:
        return DerivationResult(
            d.name, answer[:500], "parse_error", key="parse", message=exc.describe()
        )
    except RecursionError:
        return DerivationResult(
            d.name,
            answer[:500],
            "parse_error",
            key="parse",
            message="the answer is nested too deeply",
        )
    latex = to_latex(tree)
    insts = instances(d, hidden=hidden)
    want = _table(d, d.expected_tree(), insts)
    mine = _table(d, tree, insts)
    if _same(mine, want):
        # SymPy either proves the identity (True) or does not finish / cannot show it (None or
        # False: simplification is incomplete, so that is no evidence of a difference).
        proved = _run_proof(d, tree, proof_seconds) if prove else None
        if proved == "disproved":
            return DerivationResult(
                d.name,
                answer,
                "wrong",
                0.0,
                "constant",
                "your expression differs from the derivative by a constant too small for the "
                "test points, but not 0 (SymPy shows it): check the numbers you added",
                latex,
            )
        how = "proved by SymPy" if proved else f"equal at {len(want.values)} test points"
        return DerivationResult(
            d.name, answer, "correct", 1.0, "", f"correct ({how})", latex, proved or None
        )
    for m in d.mistakes:
        mt = _table(d, _parse_cached(d, m.expression), insts)
        if _same(mine, mt):
            return DerivationResult(
                d.name, answer, "anticipated", m.credit, m.key, m.message, latex
            )
    key, message = _explain_wrong(d, tree, mine, want, insts)
    return DerivationResult(d.name, answer, "wrong", 0.0, key, message, latex)


def _p_is_softmax_of_xwb(d: Derivation) -> bool:
    fams = d.families()
    return {"x", "W", "b", "p"} <= set(fams) and fams["p"] == ("sample", "class")


def _has_exp(node: Node) -> bool:
    kind = node[0]
    if kind == "fn":
        return node[1] == "exp" or any(_has_exp(a) for a in node[2])
    if kind in ("add", "mul"):
        return any(_has_exp(a) for a in node[1])
    if kind == "pow":
        return _has_exp(node[1]) or _has_exp(node[2])
    if kind == "neg":
        return _has_exp(node[1])
    if kind == "sum":
        return _has_exp(node[2])
    return False


_PROOFS: dict[tuple[str, Node], bool | str | None] = {}
_MAX_PROOFS = 4096


def _run_proof(d: Derivation, tree: Node, seconds: float) -> bool | str | None:
    """SymPy's verdict on ``tree == expected``; remembered, since a class gives the same answers."""
    from .sympy_bridge import prove_in_subprocess

    expected = d.expected_tree()
    if tree == expected:
        return True
    if _p_is_softmax_of_xwb(d) and _has_exp(tree):
        # the proof treats p as free symbols on the simplex, so p written out as softmax(XW + b)
        # cannot be shown equal; do not spend the time limit on it (the numeric verdict stands)
        return None
    key = (d.name, tree)
    if key in _PROOFS:
        return _PROOFS[key]
    result = prove_in_subprocess(lambda: _prove(d, tree, expected), seconds)
    if result is not None and len(_PROOFS) < _MAX_PROOFS:  # a timeout may be luck: retry it
        _PROOFS[key] = result
    return result
