"""Compare a submission's output with the reference and explain the difference.

Everything here runs in the grader's process on *decoded* data (see :mod:`.serialize`): arrays,
numbers, tuples, lists, dicts and :class:`~.serialize.EncodedObject` stand-ins, never objects made
by the submission. The feedback never prints a hidden case's inputs; for a public case it may show
the expected and the returned values, which the learner sees in the notebook anyway.

The diagnosis of a wrong part goes from the most to the least specific explanation:

1. the output's structure (``None``, an object, a tuple of the wrong length, a missing key);
2. its shape (transposed, one value per row instead of the mean, ``keepdims`` left on, ...);
3. a known mistake of the question whose output, on the same inputs, matches the submission's;
4. ``nan``/``inf`` where the reference is finite (overflow on large logits, log of 0);
5. the sign, a constant factor (``N``, ``C``, 2, ``1/ln 2``), a transpose;
6. the question's property checks (rows do not sum to 1, ...);
7. the public example's answer returned for another input (hard-coded values);
8. the size of the largest difference.
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .serialize import EncodedObject
from .spec import Case, ErrorHint, Part, Question

__all__ = [
    "CaseOutcome",
    "Diagnosis",
    "PartOutcome",
    "QuestionOutcome",
    "allclose",
    "choose_hint",
    "describe_value",
    "diagnose",
    "error_feedback",
    "evaluate_case",
    "evaluate_question",
    "failing_line",
    "mutation_messages",
    "to_array",
]


@dataclass
class PartOutcome:
    """Result of one part of one case."""

    name: str
    passed: bool
    message: str = ""
    convention: bool = False  # wrong only by a named convention: keeps its points


@dataclass
class CaseOutcome:
    """Result of one case: points earned and the feedback."""

    passed: bool
    score: float
    max_score: float
    message: str = ""
    parts: list[PartOutcome] = field(default_factory=list)


class _Missing:
    def __init__(self, problem: str) -> None:
        self.problem = problem


def describe_value(value: Any) -> str:
    """A short phrase naming what a value is, without printing its contents.

    Examples
    --------
    >>> import numpy as np
    >>> describe_value(np.zeros((2, 3), dtype=np.float32))
    'an array of shape (2, 3) and dtype float32'
    >>> describe_value(None)
    'None (is a `return` missing?)'
    """
    if value is None:
        return "None (is a `return` missing?)"
    if isinstance(value, EncodedObject):
        return value.describe()
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"a NumPy scalar of dtype {value.dtype}"
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} values"
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    if isinstance(value, dict):
        keys = ", ".join(sorted(value)[:6])
        return f"a dict with keys {keys}" if keys else "an empty dict"
    return f"a {type(value).__name__}"


def to_array(value: Any) -> np.ndarray | None:
    """The value as a numeric ndarray, or None if it is not numbers.

    Python numbers become 0-d arrays; lists and tuples of numbers become arrays.
    """
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            return None
        return arr if arr.dtype.kind in "biuf" else None
    return None


def allclose(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> bool:
    """Entry-wise ``|a - e| <= atol + rtol |e|``, with matching ``nan`` and ``inf`` counted equal.

    Examples
    --------
    >>> import numpy as np
    >>> allclose(np.array([1.0, np.nan]), np.array([1.0 + 1e-12, np.nan]), 1e-9, 0.0)
    True
    """
    if a.shape != e.shape:
        return False
    with np.errstate(all="ignore"):
        a = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
        e = e.astype(np.complex128 if e.dtype.kind == "c" else np.float64)
        same = (np.isnan(a) & np.isnan(e)) | (np.isinf(a) & (a == e))
        finite = np.isfinite(a) & np.isfinite(e)
        close = finite & (np.abs(a - e) <= atol + rtol * np.abs(e))
        return bool(np.all(same | close))


def _select(value: Any, path: tuple[Any, ...], parts: tuple[Part, ...]) -> Any:
    """Follow ``path`` into ``value``; a :class:`_Missing` explains where it breaks."""
    for depth, key in enumerate(path):
        if isinstance(key, int):
            siblings = {p.path[depth] for p in parts if len(p.path) > depth}
            n = max(k for k in siblings if isinstance(k, int)) + 1
            names = [p.name for p in parts if len(p.path) == 1] if depth == 0 else []
            what = f"a tuple of {n} values" + (f" ({', '.join(names)})" if names else "")
            if not isinstance(value, (tuple, list)):
                return _Missing(f"returned {describe_value(value)}, expected {what}")
            if len(value) != n:
                return _Missing(f"returned {len(value)} values, expected {what}")
            value = value[key]
        else:
            if not isinstance(value, dict):
                return _Missing(
                    f"the gradients should be a dict with keys W1, b1, W2, b2; got "
                    f"{describe_value(value)}"
                )
            if key not in value:
                return _Missing(f"the gradient dict has no entry {key!r}")
            value = value[key]
    return value


def _fmt(arr: np.ndarray) -> str:
    with np.printoptions(precision=4, suppress=False, threshold=12, edgeitems=3):
        return " ".join(np.array2string(np.asarray(arr), separator=", ").split())


def _near(x: float, target: float, tol: float = 1e-6) -> bool:
    return abs(x - target) <= tol * max(abs(target), 1e-300)


def _factor_message(c: float, sizes: dict[str, int], n_significant: int) -> str | None:
    """Explain ``actual = c * expected`` for a constant ``c`` (None if ``c`` means nothing)."""
    sign = "has the wrong sign and " if c < 0 else ""
    k = abs(c)
    N, C = sizes.get("N"), sizes.get("C")
    if _near(k, 1.0):
        return "has the wrong sign (it is −1 times the expected value)" if c < 0 else None
    if N and N > 1 and _near(k, N):
        both = " (= C, the number of classes)" if C == N else ""
        return (
            f"{sign}is N = {N} times too large{both}: off by a factor of N; divide by the batch "
            "size N (the mean over the batch, not the sum)"
        )
    if N and N > 1 and _near(k, 1 / N):
        return (
            f"{sign}is N = {N} times too small: off by a factor of N; divided by N once too often"
        )
    if C and C > 1 and _near(k, C):
        return f"{sign}is C = {C} times too large: off by a factor of C, the number of classes"
    if C and C > 1 and _near(k, 1 / C):
        return (
            f"{sign}is C = {C} times too small: off by a factor of C; divided by the number of "
            "classes (a mean over every entry instead of over the batch?)"
        )
    if N and N > 1 and _near(k, N * N):
        return f"{sign}is N² = {N * N} times too large: off by a factor of N twice"
    if N and N > 1 and _near(k, 1 / (N * N)):
        return f"{sign}is N² = {N * N} times too small: divided by N twice"
    if _near(k, 2.0):
        return f"{sign}is 2 times too large: off by a factor of 2"
    if _near(k, 0.5):
        return f"{sign}is half the expected value: off by a factor of 2"
    if _near(k, 1 / math.log(2)):
        return f"{sign}is 1/ln 2 ≈ 1.44 times too large: use the natural logarithm np.log"
    if _near(k, 1 / math.log(10)):
        return f"{sign}is 1/ln 10 ≈ 0.43 times the expected value: use np.log, not np.log10"
    if n_significant >= 2:
        return f"{sign}is off by a constant factor of {k:.4g}"
    return None


def _constant_ratio(a: np.ndarray, e: np.ndarray, atol: float) -> tuple[float, int] | None:
    with np.errstate(all="ignore"):
        a = a.astype(np.float64)
        e = e.astype(np.float64)
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(e))):
            return None
        scale = float(np.max(np.abs(e))) if e.size else 0.0
        sig = np.abs(e) > max(atol * 10, 1e-9 * scale)
        if not sig.any():
            return None
        r = a[sig] / e[sig]
        c = float(np.median(r))
        if c == 0 or not np.all(np.abs(r - c) <= 1e-6 * abs(c)):
            return None
        if np.any(np.abs(a[~sig]) > max(atol * 10, 1e-6 * abs(c) * scale)):
            return None
        return c, int(sig.sum())


def _shape_message(a: np.ndarray, e: np.ndarray, sizes: dict[str, int], rtol: float, atol: float):
    got, want = a.shape, e.shape
    N = sizes.get("N")
    if a.ndim == 2 and got == want[::-1]:
        if allclose(a.T, e, rtol, atol):
            return f"is transposed: shape {got}, expected {want} (rows and columns swapped)"
        return f"has shape {got}, expected {want}: transposed?"
    if e.ndim == 0:
        if got == (1,):
            return (
                "returns an array of shape (1,); expected a single number (the reduced axis was "
                "kept: drop keepdims=True)"
            )
        if N and got == (N,):
            return (
                f"returns one value per example (shape {got}); return a single number, the mean "
                "over the batch"
            )
        return f"returns an array of shape {got}; expected a single number"
    if a.ndim == 0:
        return f"returns a single number; expected an array of shape {want}"
    if got == (*want, 1) or (e.ndim >= 1 and got == (*want[:-1], 1, want[-1])):
        return (
            "keeps the reduced axis (keepdims=True), e.g. shape (N, 1) instead of (N,); return "
            "it without that axis"
        )
    if a.size == e.size:
        if allclose(a.reshape(want), e, rtol, atol):
            return "has the right values in the wrong shape: reshape the result"
        return f"has shape {got}, expected {want}"
    if a.ndim == e.ndim - 1 and got == want[1:]:
        return f"has shape {got}, expected {want}: it reduced over the batch axis (axis 0)"
    if a.ndim == e.ndim - 1 and got == want[:-1]:
        return f"has shape {got}, expected {want}: it reduced over the class axis"
    return f"has shape {got}, expected {want}"


def _nonfinite_message(case: Case) -> str:
    if "large" in case.tags:
        return (
            "returns nan or inf for large logits: np.exp overflows above about 709 (88.7 in "
            "float32), so subtract each row's maximum before exponentiating; and a probability "
            "that underflows to 0 must not go through a log (use log-sum-exp)"
        )
    if "negative" in case.tags:
        return (
            "returns nan or inf for very negative logits: every exp underflows to 0 and "
            "0/0 = nan; subtract each row's maximum before exponentiating"
        )
    if "underflow" in case.tags:
        return (
            "returns nan or inf when a probability underflows to 0 (log(0) = −inf, 0/0 = nan): "
            "work with the shifted logits and log-sum-exp instead of the log of probabilities"
        )
    return "returns nan or inf where the expected values are finite"


class _MistakeOutputs:
    """Outputs of a question's known mistakes on one case, computed once and on demand."""

    def __init__(self, question: Question, case: Case) -> None:
        self.question = question
        self.case = case
        self._cache: list[Any] | None = None

    def get(self) -> list[Any]:
        if self._cache is None:
            self._cache = []
            for m in self.question.mistakes:
                try:
                    with np.errstate(all="ignore"):
                        self._cache.append(m.compute(*self.case.args, **self.case.kwargs))
                except Exception:  # a mistake that cannot run on these inputs explains nothing
                    self._cache.append(_Missing("n/a"))
        return self._cache


def _codes(a: np.ndarray) -> np.ndarray:
    """0 for a finite entry, 1 for nan, 2 for +inf, 3 for -inf."""
    with np.errstate(all="ignore"):
        f = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
        out = np.zeros(f.shape, dtype=np.int8)
        out[np.isnan(f)] = 1
        if f.dtype.kind != "c":
            out[f == np.inf] = 2
            out[f == -np.inf] = 3
        else:
            out[np.isinf(f)] = 2
    return out


@dataclass
class _Evidence:
    """How one known mistake compares with the submission on one part, over all cases."""

    value_ok: bool = True
    value_seen: bool = False
    pattern_ok: bool = True
    pattern_seen: bool = False
    explains: set[int] = field(default_factory=set)  # case indices where it differs from ref
    pattern_cases: set[int] = field(default_factory=set)  # ... by its nan/inf entries

    @property
    def by_value(self) -> bool:
        return self.value_ok and self.value_seen

    @property
    def by_pattern(self) -> bool:
        return self.pattern_ok and self.pattern_seen


@dataclass
class Diagnosis:
    """The known mistakes a submission makes on one question, decided over all its cases.

    A mistake is named for a part when, on every case where both ran, it agrees with the
    submission

    * on the *finite* entries (both finite, and finite in the reference) and explains at least
      one of them that differs from the reference (``by value``), or
    * on the *pattern of non-finite entries* where the reference is finite (nan, +inf and -inf
      told apart) and at least one such entry exists (``by pattern``).

    ``inf == inf`` or ``nan == nan`` in a single case is never enough: the same mistake must
    explain the finite cases too. Mistakes named on a strict subset of the parts that another
    named mistake explains are dropped (one explanation per failure).

    Attributes
    ----------
    named : dict of str to list of str
        Part name to the keys of the mistakes named for it, in the question's order.
    explains : dict of (str, str) to set of int
        ``(mistake key, part)`` to the indices (in the observations) of the cases it explains.
    """

    named: dict[str, list[str]] = field(default_factory=dict)
    explains: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    pattern: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)  # id(case) -> observation index

    def keys(self) -> list[str]:
        """Every named mistake's key, once, in the question's order of parts."""
        out: list[str] = []
        for keys in self.named.values():
            out.extend(k for k in keys if k not in out)
        return out

    def for_case(self, case: Case, part: str) -> list[str]:
        """Keys of the named mistakes that explain ``part`` of ``case``."""
        i = self.index.get(id(case))
        return [k for k in self.named.get(part, []) if i in self.explains.get((k, part), set())]

    def explains_nonfinite(self, case: Case, part: str) -> bool:
        """Whether a named mistake explains the nan/inf entries of ``part`` in ``case``."""
        i = self.index.get(id(case))
        return any(i in self.pattern.get((k, part), set()) for k in self.named.get(part, []))


def diagnose(question: Question, observations: Sequence[tuple[Case, Any, Any]]) -> Diagnosis:
    """Decide which known mistakes explain a submission's outputs.

    Parameters
    ----------
    question : Question
    observations : sequence of (case, value, expected)
        The decoded output of every case that returned normally, with its expected output.

    Returns
    -------
    Diagnosis
    """
    observations = [o for o in observations if o[0].parts is None and not o[0].raises]
    diag = Diagnosis(index={id(c): i for i, (c, _, _) in enumerate(observations)})
    if not question.mistakes:
        return diag
    outputs = [_MistakeOutputs(question, c) for c, _, _ in observations]
    evidence: dict[tuple[str, str], _Evidence] = {}
    for mi, mistake in enumerate(question.mistakes):
        for part in question.parts:
            if mistake.parts and part.name not in mistake.parts:
                continue
            ev = _Evidence()
            for i, (case, value, expected) in enumerate(observations):
                out = outputs[i].get()[mi]
                if isinstance(out, _Missing):
                    continue
                rtol, atol = question.tolerances(case)
                s = _select(value, part.path, question.parts)
                m = _select(out, part.path, question.parts)
                e = _select(expected, part.path, question.parts)
                sa = None if isinstance(s, _Missing) else to_array(s)
                ma = None if isinstance(m, _Missing) else to_array(m)
                ea = None if isinstance(e, _Missing) else to_array(e)
                if sa is None or ma is None or ea is None or sa.dtype.kind == "b":
                    continue
                if sa.shape != ma.shape:
                    ev.value_ok = ev.pattern_ok = False
                    break
                cs, cm = _codes(sa), _codes(ma)
                if ma.shape == ea.shape:
                    ref_fin = _codes(ea) == 0
                    differs_shape = False
                else:
                    ref_fin = np.ones(ma.shape, dtype=bool)
                    differs_shape = True
                if not np.array_equal(cs[ref_fin], cm[ref_fin]):
                    ev.pattern_ok = False
                elif (cm[ref_fin] != 0).any():
                    ev.pattern_seen = True
                    ev.explains.add(i)
                    ev.pattern_cases.add(i)
                both = (cs == 0) & (cm == 0) & ref_fin
                if both.any():
                    if not allclose(sa[both], ma[both], rtol, atol):
                        ev.value_ok = False
                    elif differs_shape or not allclose(ma[both], ea[both], rtol, atol):
                        ev.value_seen = True
                        ev.explains.add(i)
            if ev.by_value or ev.by_pattern:
                evidence[(mistake.key, part.name)] = ev
    parts_of: dict[str, set[str]] = {}
    for key, part in evidence:
        parts_of.setdefault(key, set()).add(part)
    declared = {
        m.key: set(m.parts) if m.parts else {p.name for p in question.parts}
        for m in question.mistakes
    }
    keep = set(parts_of)
    for key, parts in parts_of.items():
        for other, oparts in parts_of.items():
            if other == key:
                continue
            covered = parts <= oparts and all(
                evidence[(key, p)].explains <= evidence[(other, p)].explains for p in parts
            )
            if covered and (
                parts < oparts
                or (parts == oparts and parts != declared[key] and oparts == declared[other])
            ):
                keep.discard(key)
                break
    for part in question.parts:
        diag.named[part.name] = [
            m.key for m in question.mistakes if m.key in keep and (m.key, part.name) in evidence
        ]
    for (key, part), ev in evidence.items():
        diag.explains[(key, part)] = ev.explains
        diag.pattern[(key, part)] = ev.pattern_cases
    return diag


def _mistake_text(question: Question, keys: list[str]) -> str | None:
    messages: list[str] = []
    for m in question.mistakes:
        if m.key in keys and m.message not in messages:
            messages.append(m.message)
    return "; ".join(messages) or None


def _compare_part(
    question: Question,
    case: Case,
    part: Part,
    actual: Any,
    expected: Any,
    diagnosis: Diagnosis,
    public_expected: list[Any],
) -> PartOutcome:
    rtol, atol = question.tolerances(case)
    e = to_array(expected)
    if e is None:  # the reference itself must be numeric
        raise TypeError(f"{question.function}: reference output for {case.label!r} is not numeric")
    a = to_array(actual)
    if a is None:
        want = "a number" if e.ndim == 0 else f"an array of shape {e.shape}"
        return PartOutcome(part.name, False, f"returned {describe_value(actual)}, expected {want}")
    if a.dtype.kind == "b":
        return PartOutcome(part.name, False, "returned booleans, expected numbers")
    if a.dtype.kind == "c" and e.dtype.kind != "c":
        return PartOutcome(part.name, False, "returned complex numbers, expected real ones")
    sizes = question.sizes(case)
    keys = diagnosis.for_case(case, part.name)
    if a.shape != e.shape:
        msg = _mistake_text(question, keys)
        return PartOutcome(part.name, False, msg or _shape_message(a, e, sizes, rtol, atol))
    if allclose(a, e, rtol, atol):
        if case.check_dtype and a.dtype != e.dtype:
            return PartOutcome(
                part.name,
                False,
                f"returns {a.dtype} for a {e.dtype} input: keep the input's dtype (avoid "
                "float64 constants, np.zeros/np.empty without dtype=, or astype)",
            )
        return PartOutcome(part.name, True)
    msg = _mistake_text(question, keys)
    conventions = {m.key for m in question.mistakes if m.convention}
    only_convention = bool(keys) and set(keys) <= conventions
    with np.errstate(all="ignore"):
        finite_e = np.isfinite(e.astype(np.complex128 if e.dtype.kind == "c" else np.float64))
        bad = finite_e & ~np.isfinite(a.astype(np.float64) if a.dtype.kind != "c" else a)
    if bad.any() and not diagnosis.explains_nonfinite(case, part.name):
        msg = f"{msg}; {_nonfinite_message(case)}" if msg else _nonfinite_message(case)
    if only_convention and not bad.any() and msg:
        return PartOutcome(part.name, False, msg, convention=True)
    if msg is None:
        ratio = _constant_ratio(a, e, atol)
        if ratio is not None:
            msg = _factor_message(ratio[0], sizes, ratio[1])
            if msg and case.hidden and "constant factor of" in msg:
                # the factor is the submission's choice: it could spell the inputs
                msg = msg.split(" of ", 1)[0]
    if msg is None and a.ndim == 2 and a.shape[0] == a.shape[1] and allclose(a.T, e, rtol, atol):
        msg = "is transposed (rows and columns swapped)"
    if msg is None:
        for check in question.checks:
            with np.errstate(all="ignore"):
                msg = check(a, e, case)
            if msg:
                break
    if msg is None and case.hidden:
        for pub in public_expected:
            sel = _select(pub, part.path, question.parts)
            arr = None if isinstance(sel, _Missing) else to_array(sel)
            if arr is not None and arr.shape == a.shape and allclose(a, arr, rtol, atol):
                msg = (
                    "returns the answer of the notebook's example whatever the input: compute "
                    "it from the arguments"
                )
                break
    if msg is None:
        with np.errstate(all="ignore"):
            diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
            worst = float(np.nanmax(diff)) if diff.size else 0.0
        if case.hidden:  # an order of magnitude only: the exact figure could spell the inputs
            size = (
                f"about 1e{math.floor(math.log10(worst)):+03d}" if 0 < worst < math.inf else worst
            )
            msg = f"wrong values (largest difference {size})"
        else:
            msg = f"wrong values (largest difference {worst:.3g})"
        if not case.hidden and e.size <= 12:
            msg += f": expected {_fmt(e)}, got {_fmt(a)}"
    return PartOutcome(part.name, False, msg)


_KNOWN_ERRORS = frozenset(
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type)
    and issubclass(getattr(builtins, name), BaseException)
) | {"AxisError", "LinAlgError"}
_WHERE = re.compile(r"line \d{1,6}( of code cell \d{1,4}(?=:|$))?")


def _hidden_safe(etype: str, where: str) -> tuple[str, str]:
    """The type and place of an error in a hidden case, stripped of what the worker could forge.

    Everything in the error comes from the learner's process, so a hidden case shows neither its
    message, nor a class name of the submission's own, nor the source line (``linecache`` is the
    learner's too): any of them could echo the case's inputs.
    """
    shown = etype if etype in _KNOWN_ERRORS else "an exception of its own class"
    match = _WHERE.match(where)
    return shown, match.group(0) if match else ""


_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_MAGNITUDE = re.compile(r"1e[+-]\d\d")


def _redact_hidden(message: str, question: Question, case: Case, expected: Any) -> str:
    """A hidden case's feedback without numbers the submission could choose.

    The shapes, lengths and values a submission returns are its own; through them the feedback
    could spell a hidden input. Kept: numbers of one or two digits, orders of magnitude
    (``1e-03``), and the numbers of the case's label, its sizes, its expected shape and the
    question's own messages.
    """
    known = set(_NUMBER.findall(case.label)) | {"1.44", "0.43"}
    for text in [m.message for m in question.mistakes] + [h.hint for h in question.error_hints]:
        known |= set(_NUMBER.findall(text))  # the grader's own wording
    known |= {str(v) for v in question.sizes(case).values()}
    known |= set(_NUMBER.findall(str(np.shape(expected)) if to_array(expected) is not None else ""))

    def keep(match: re.Match) -> str:
        t = match.group(0)
        short = len(t) <= 2 and t.isdigit()
        return t if short or t in known or _MAGNITUDE.fullmatch(t) else "…"

    return _NUMBER.sub(keep, message)


def error_feedback(error: dict[str, Any], question: Question, case: Case, memory_mb: int) -> str:
    """Explain an exception raised by the submission (no hidden inputs are shown)."""
    etype = str(error.get("type", "Exception"))
    message = str(error.get("message", ""))
    where = str(error.get("where", ""))
    if case.hidden:  # nothing the worker wrote about a hidden case is shown as is
        etype, where = _hidden_safe(etype, where)
    if etype == "NotImplementedError":
        return "not implemented yet"
    if etype == "MemoryError":
        return f"ran out of memory (the limit is {memory_mb} MiB)"
    if etype == "RecursionError":
        text = "infinite recursion (RecursionError)"
    elif etype == "SystemExit":
        text = "called sys.exit() or exit(): a graded function must return its result"
    elif etype == "KeyboardInterrupt":
        text = "raised KeyboardInterrupt"
    elif etype == "PermissionError" and "ce-course grader" in message and not case.hidden:
        text = message
    elif case.hidden:
        text = f"raised {etype}"
    else:
        text = f"raised {etype}: {message}" if message else f"raised {etype}"
    if where:
        text += f" ({where})"
    hint = choose_hint(question.error_hints, etype, failing_line(where), message)
    if hint:
        text += f"; {hint}"
    return text


def failing_line(where: str) -> str:
    """The source text of the failing line in ``"line 5 of code cell 3: x = ..."`` (or "")."""
    match = re.match(r"line \d+(?: of [^:]*)?: (.*)$", where.strip())
    return match.group(1) if match else ""


def choose_hint(hints: Sequence[ErrorHint], etype: str, line: str, message: str = "") -> str | None:
    """The first hint whose exception types and failing-line pattern fit, or None.

    The hint never depends on the exception's message (NumPy's wording changes between
    versions and says "broadcast" for unrelated indexing errors).
    """
    for h in hints:
        if h.types and etype not in h.types:
            continue
        if h.line is not None and not re.search(h.line, line):
            continue
        if h.not_line is not None and re.search(h.not_line, line):
            continue
        if h.own_message is not None and h.own_message not in message:
            continue
        return h.hint
    return None


def _expect_raise(
    question: Question, case: Case, result: dict[str, Any], total: float
) -> CaseOutcome:
    """A bad-input case: full points for the right exception naming the function."""
    want = case.raises
    if result.get("status") == "ok":
        return CaseOutcome(
            False,
            0.0,
            total,
            f"returned {describe_value(result.get('value'))}; the contract asks for a {want} here",
        )
    error = result.get("error") or {}
    etype = str(error.get("type", ""))
    if etype != want:
        return CaseOutcome(
            False, 0.0, total, f"raised {etype or 'an error'}; the contract asks for a {want}"
        )
    if question.function not in str(error.get("message", "")):
        return CaseOutcome(
            False,
            total / 2,
            total,
            f"raises {want} but its message does not name the function: start it with "
            f"'{question.function}: '",
        )
    return CaseOutcome(True, total, total)


def evaluate_case(
    question: Question,
    case: Case,
    expected: Any,
    result: dict[str, Any],
    *,
    public_expected: list[Any] | None = None,
    memory_mb: int = 2048,
    diagnosis: Diagnosis | None = None,
) -> CaseOutcome:
    """Score one case from the worker's result and explain what is wrong.

    Parameters
    ----------
    question, case
        What was run.
    expected : object
        The reference's output for the case.
    result : dict
        ``{"status": "ok", "value": decoded output}``, ``{"status": "error", "error": {...}}``
        or ``{"status": "not_implemented"}``.
    public_expected : list, optional
        The expected outputs of the question's public cases (to spot hard-coded answers).
    memory_mb : int
        The worker's memory limit, for the feedback on ``MemoryError``.
    diagnosis : Diagnosis, optional
        The mistakes decided over all the question's cases (:func:`diagnose`); from this case
        alone when omitted.

    Returns
    -------
    CaseOutcome

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course.grading.exercises import get_exercise
    >>> q = get_exercise("02_softmax").question("softmax")
    >>> case = q.cases[0]
    >>> out = evaluate_case(q, case, q.expected(case), {"status": "ok", "value": np.ones(3)})
    >>> out.passed, out.score
    (False, 0.0)
    """
    total = float(case.points)
    status = result.get("status")
    if status == "not_implemented":
        return CaseOutcome(False, 0.0, total, "not implemented yet")
    if case.raises:
        return _expect_raise(question, case, result, total)
    if status != "ok":
        error = result.get("error") or {"type": "Error", "message": str(status)}
        return CaseOutcome(False, 0.0, total, error_feedback(error, question, case, memory_mb))
    value = result.get("value")
    if diagnosis is None:
        diagnosis = diagnose(question, [(case, value, expected)])
    outcomes = []
    parts = case.parts or question.parts
    for part in parts:
        actual = _select(value, part.path, parts)
        if isinstance(actual, _Missing):
            outcomes.append(PartOutcome(part.name, False, actual.problem))
            continue
        want = _select(expected, part.path, parts)
        outcomes.append(
            _compare_part(question, case, part, actual, want, diagnosis, public_expected or [])
        )
    weights = sum(p.weight for p in parts)
    earned = sum(p.weight for p, o in zip(parts, outcomes, strict=True) if o.passed or o.convention)
    score = total * earned / weights if weights else 0.0
    by_message: dict[str, list[str]] = {}
    for part, o in zip(parts, outcomes, strict=True):
        if not o.passed:
            by_message.setdefault(o.message, []).append(part.name)
    messages: list[str] = []
    for message, names in by_message.items():
        generic = message.startswith(("returned ", "the gradient")) or message.startswith(names[0])
        if len(parts) == 1 or generic:
            messages.append(message)
        else:
            messages.append(f"{', '.join(names)}: {message}")
    passed = all(o.passed for o in outcomes)
    message = "; ".join(messages)
    if case.hidden:
        message = _redact_hidden(message, question, case, expected)
    return CaseOutcome(passed, round(score, 6), total, message, outcomes)


@dataclass
class QuestionOutcome:
    """All cases of one question, scored with one diagnosis.

    Attributes
    ----------
    cases : list of CaseOutcome or None
        One per case, None for a case that was not run.
    diagnoses : list of str
        The named mistakes' messages, once each, in the question's order.
    mistake_keys : list of str
        Their keys.
    convention_share : float
        Share of the question's points lost once for the named conventions (0.5·reg...).
    """

    cases: list[CaseOutcome | None]
    diagnoses: list[str]
    mistake_keys: list[str]
    convention_share: float = 0.0


def evaluate_question(
    question: Question,
    cases: Sequence[Case],
    results: Sequence[dict[str, Any] | None],
    *,
    expected: Sequence[Any] | None = None,
    public_expected: list[Any] | None = None,
    memory_mb: int = 2048,
) -> QuestionOutcome:
    """Score every case of a question, naming the same mistakes in each.

    Parameters
    ----------
    question : Question
    cases : sequence of Case
    results : sequence of dict or None
        The worker's result of each case (None: not run).
    expected : sequence, optional
        The expected outputs; computed with the reference when omitted.
    public_expected, memory_mb
        As for :func:`evaluate_case`.
    """
    if expected is None:
        expected = [question.expected(c) for c in cases]
    obs = [
        (c, r.get("value"), e)
        for c, r, e in zip(cases, results, expected, strict=True)
        if r is not None and r.get("status") == "ok"
    ]
    diagnosis = diagnose(question, obs)
    outcomes: list[CaseOutcome | None] = []
    for c, r, e in zip(cases, results, expected, strict=True):
        if r is None:
            outcomes.append(None)
            continue
        outcomes.append(
            evaluate_case(
                question,
                c,
                e,
                r,
                public_expected=public_expected,
                memory_mb=memory_mb,
                diagnosis=diagnosis,
            )
        )
    keys = diagnosis.keys()
    messages: list[str] = []
    for m in question.mistakes:
        if m.key in keys and m.message not in messages:
            messages.append(m.message)
    share = sum(m.convention for m in question.mistakes if m.key in keys and m.convention)
    if share:
        messages = [
            f"{msg} (a convention, not an error: costs {100 * share:g}% of the points, once)"
            if any(m.message == msg and m.convention for m in question.mistakes)
            else msg
            for msg in messages
        ]
    return QuestionOutcome(outcomes, messages, keys, min(share, 1.0))


def mutation_messages(mutated: Sequence[str]) -> list[str]:
    """Explain the arguments a submission changed (paths as the worker names them).

    A dict whose keys changed is reported as ``"the keys of params"``; anything else is an
    array modified in place.

    Examples
    --------
    >>> mutation_messages(["the keys of params"])[0][:43]
    "adds or removes keys in the caller's dict p"
    """
    dicts = [m.removeprefix("the keys of ") for m in mutated if m.startswith("the keys of ")]
    arrays = [m for m in mutated if not m.startswith("the keys of ")]
    out = []
    if arrays:
        out.append(
            f"modifies its input {', '.join(arrays)} in place (for example x -= x.max(...) or "
            "np.exp(x, out=x)); the caller's array must not change: work on a copy or build new "
            "arrays"
        )
    if dicts:
        out.append(
            f"adds or removes keys in the caller's dict {', '.join(dicts)} (for example "
            "params['scores'] = ...); keep intermediate results in local variables or a new dict"
        )
    return out
