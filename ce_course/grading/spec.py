"""What an exercise's tests are made of: cases, parts, known mistakes, questions, exercises.

One module per exercise in :mod:`ce_course.grading.exercises` builds an :class:`Exercise` from
these pieces. An instructor's extra tests (``--hidden-tests DIR``) are :class:`Case` objects too.

A *question* is one graded function. It has several *cases* (inputs and points), each output is
split into *parts* (``loss`` and ``dW`` for exercise 08) that earn a share of the case's points,
and a list of known *mistakes*: wrong implementations run on the same inputs, so that a learner's
output that matches one gets that mistake's explanation instead of a bare "wrong values".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .guard import REFERENCE_NAMES

__all__ = [
    "ALWAYS_ALLOWED",
    "DEFAULT_HIDDEN_SEED",
    "PUBLIC_SEED",
    "SEED_ENV",
    "Case",
    "CaseKind",
    "ErrorHint",
    "Exercise",
    "Mistake",
    "Part",
    "Question",
    "draw_cases",
    "rng_for",
]

ALWAYS_ALLOWED: frozenset[str] = frozenset({"one_hot", "make_spiral"})
"""Utilities of :mod:`ce_course` that every graded function may call."""


@dataclass(frozen=True)
class Part:
    """One graded component of a function's output.

    Parameters
    ----------
    name : str
        How the feedback names it (``"dW"``, ``"grads['b1']"``, ``"dz_dy"``).
    path : tuple
        Indices and keys leading from the returned value to this part; ``()`` for the whole value.
    weight : float
        Share of each case's points that this part earns.
    """

    name: str
    path: tuple[Any, ...] = ()
    weight: float = 1.0


@dataclass
class Case:
    """One test of one graded function.

    Parameters
    ----------
    question : str
        Name of the graded function (``"softmax"``).
    label : str
        What the learner is told about the inputs. For a hidden case this is all they see, so
        describe the situation ("large logits (about ±1000)"), never the values.
    args, kwargs
        Arguments of the call. Arrays are sent to the worker as data; a
        :class:`~ce_course.grading.probes.Probe` becomes a function in the worker.
    points : float, default 1
    hidden : bool, default True
        Hidden cases are graded by ``ce-course grade`` only; public ones also by ``check()``.
    tags : frozenset of str
        Situations the feedback can name: ``"large"`` (overflow), ``"underflow"``,
        ``"float32"``, ``"ties"``, ``"single_class"``, ``"n1"``, ``"square"``.
    rtol, atol : float, optional
        Tolerances; the question's defaults when omitted.
    check_dtype : bool, default False
        Also require the output to have the expected dtype (for float32 inputs).
    expected : object, optional
        The expected output; computed with the question's reference when omitted.
    raises : str, optional
        The exception type the call must raise (a bad input); then nothing is returned.
    parts : tuple of Part, optional
        How this case's output is split, when it differs from the question's (exercise 9's
        ``y=None`` returns the scores only).
    kind : str, optional
        The kind of case (``"large"``, ``"n1"``...): each kind has a generator, and every kind
        of hidden case has a public case of the same kind.
    """

    question: str
    label: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    points: float = 1.0
    hidden: bool = True
    tags: frozenset[str] = frozenset()
    rtol: float | None = None
    atol: float | None = None
    check_dtype: bool = False
    expected: Any = None
    raises: str | None = None
    parts: tuple[Part, ...] | None = None
    kind: str = ""

    def __post_init__(self) -> None:
        self.tags = frozenset(self.tags)
        self.args = tuple(self.args)
        if not isinstance(self.kwargs, dict):
            raise TypeError(f"Case {self.label!r}: kwargs must be a dict, got {self.kwargs!r}")
        if not (isinstance(self.points, (int, float)) and self.points >= 0):
            raise ValueError(f"Case: points must be a number >= 0, got {self.points!r}")


@dataclass(frozen=True)
class ErrorHint:
    """A hint added to the feedback on an exception, chosen by its type and the failing line.

    Parameters
    ----------
    hint : str
        What to tell the learner.
    types : tuple of str
        Exception type names it applies to (``("ValueError",)``); any type when empty.
    line : str, optional
        A regular expression that must be found in the source of the learner's failing line.
    not_line : str, optional
        A regular expression that must not be found in it.
    own_message : str, optional
        A substring of the message, only for messages the grader's own probes raise (never
        NumPy's, whose wording is not a diagnosis).
    """

    hint: str
    types: tuple[str, ...] = ()
    line: str | None = None
    not_line: str | None = None
    own_message: str | None = None


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation and what to tell a learner whose output matches it.

    Parameters
    ----------
    key : str
        Short identifier (``"no-max-shift"``).
    message : str
        The explanation, in the learner's terms.
    compute : callable
        Same signature as the graded function; returns the wrong output. It may raise (the
        mistake then explains nothing for that case).
    parts : tuple of str, optional
        Names of the parts it can explain; all parts when omitted.
    convention : float, default 0
        Non-zero for a different *convention* rather than an error (``0.5 * reg``): the parts
        it explains keep their points, and the question loses this share of its points once.
    """

    key: str
    message: str
    compute: Callable[..., Any]
    parts: tuple[str, ...] | None = None
    convention: float = 0.0


PUBLIC_SEED = "ce-course public cases"
"""Seed of the public cases: fixed, so that ``check()`` shows every learner the same inputs."""

DEFAULT_HIDDEN_SEED = "ce-course default hidden seed"
"""Seed of the hidden cases when the instructor gives none (``--seed``, ``CE_COURSE_SEED``).

It is public (it is in this file), so hidden cases drawn with it are only hidden from a learner
who does not read the grader's source; the reports say when it was used."""

SEED_ENV = "CE_COURSE_SEED"
"""Environment variable holding the instructor's secret seed of the hidden cases."""


def rng_for(seed: str, question: str, kind: str, index: int) -> np.random.Generator:
    """A generator determined by ``seed`` and the case's question, kind and index.

    Examples
    --------
    >>> a = rng_for("s", "softmax", "large", 0).standard_normal()
    >>> b = rng_for("s", "softmax", "large", 0).standard_normal()
    >>> a == b, a == rng_for("t", "softmax", "large", 0).standard_normal()
    (True, False)
    """
    digest = hashlib.sha256(f"{seed}\0{question}\0{kind}\0{index}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


@dataclass(frozen=True)
class CaseKind:
    """A kind of case and its generator: public cases and hidden ones are drawn from it.

    Parameters
    ----------
    kind : str
        Short name (``"large"``), shown by ``--summary``.
    label : str
        What the learner is told (shared by the public and hidden cases of the kind).
    make : callable
        ``make(rng) -> args`` (a tuple): the inputs, drawn with ``rng``. It must produce inputs
        on which the reference is well defined (finite) whatever the seed.
    points : float
        Points of each case of this kind.
    public, hidden : int
        How many public and hidden cases to draw.
    tags, rtol, atol, check_dtype, raises, parts, kwargs
        As for :class:`Case` (``kwargs`` are the same for every case of the kind).
    """

    kind: str
    label: str
    make: Callable[[np.random.Generator], tuple[Any, ...]]
    points: float = 1.0
    public: int = 1
    hidden: int = 1
    tags: frozenset[str] = frozenset()
    rtol: float | None = None
    atol: float | None = None
    check_dtype: bool = False
    raises: str | None = None
    parts: tuple[Part, ...] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def draw(self, question: str, *, public_seed: str, hidden_seed: str) -> list[Case]:
        """The public cases (from ``public_seed``), then the hidden ones (``hidden_seed``)."""
        out = []
        for hidden, seed, n in (
            (False, public_seed, self.public),
            (True, hidden_seed, self.hidden),
        ):
            for i in range(n):
                args = tuple(self.make(rng_for(seed, question, self.kind, i)))
                out.append(
                    Case(
                        question,
                        self.label,
                        args,
                        dict(self.kwargs),
                        points=self.points,
                        hidden=hidden,
                        tags=frozenset(self.tags),
                        rtol=self.rtol,
                        atol=self.atol,
                        check_dtype=self.check_dtype,
                        raises=self.raises,
                        parts=self.parts,
                        kind=self.kind,
                    )
                )
        return out


def draw_cases(
    question: str, kinds: Sequence[CaseKind], hidden_seed: str = DEFAULT_HIDDEN_SEED
) -> list[Case]:
    """Every kind's cases: public ones first (in kind order), then hidden ones."""
    drawn = [k.draw(question, public_seed=PUBLIC_SEED, hidden_seed=hidden_seed) for k in kinds]
    cases = [c for group in drawn for c in group]
    return [c for c in cases if not c.hidden] + [c for c in cases if c.hidden]


PropertyCheck = Callable[[np.ndarray, np.ndarray, Case], "str | None"]


@dataclass
class Question:
    """A graded function: its reference, cases, parts and known mistakes.

    Parameters
    ----------
    function : str
        The name the submission must define.
    title : str
        One line saying what it computes.
    reference : callable
        Computes the expected output from a case's arguments (in the grader's process).
    cases : list of Case
    parts : tuple of Part
        How the output is split for partial credit.
    mistakes : tuple of Mistake
    allowed : frozenset of str
        :mod:`ce_course` functions the submission may call inside this function (references of
        earlier exercises); :data:`ALWAYS_ALLOWED` is added.
    checks : tuple of callable
        ``check(actual, expected, case) -> message or None``: properties to explain a wrong
        output when no known mistake matches ("rows do not sum to 1").
    error_hints : tuple of ErrorHint
        Hints for an exception, chosen by its type and the failing line (the first that fits).
    mutation_points : float, default 1
        Points for leaving the inputs unchanged (earned only if some case passes).
    rtol, atol : float
        Default tolerances.
    vectorized : tuple of str
        When the contract asks for vectorized code: the arguments whose first axis is the
        batch; a loop over them (found in the source) costs ``loop_points``.
    class_axes : dict of str to int
        Arguments whose given axis is the class axis; loops over it are reported too.
    loop_points : float, default 0
        Points for vectorized code (earned only if some case passes and no loop is found).
    kinds : tuple of CaseKind
        Generated cases: drawn into ``cases`` (after the fixed ones) when the question is built,
        and again by :meth:`with_seed` with the instructor's secret.
    context : callable, optional
        ``context(case) -> {"N": ..., "C": ...}``: sizes the feedback can name ("off by a factor
        of N = 4"). By default taken from the first array argument, ``(N, C)`` or ``(C,)``.
    """

    function: str
    title: str
    reference: Callable[..., Any]
    cases: list[Case]
    parts: tuple[Part, ...] = (Part("result"),)
    mistakes: tuple[Mistake, ...] = ()
    allowed: frozenset[str] = frozenset()
    checks: tuple[PropertyCheck, ...] = ()
    error_hints: tuple[ErrorHint, ...] = ()
    mutation_points: float = 1.0
    rtol: float = 1e-7
    atol: float = 1e-10
    context: Callable[[Case], dict[str, int]] | None = None
    kinds: tuple[CaseKind, ...] = ()
    vectorized: tuple[str, ...] = ()
    class_axes: dict[str, int] = field(default_factory=dict)
    loop_points: float = 0.0

    def __post_init__(self) -> None:
        if self.kinds and not any(c.kind for c in self.cases):
            self.cases = [*self.cases, *draw_cases(self.function, self.kinds)]
        unknown = set(self.allowed) - REFERENCE_NAMES
        if unknown:
            raise ValueError(f"Question {self.function}: unknown allowed names {sorted(unknown)}")
        for case in self.cases:
            if case.question != self.function:
                raise ValueError(
                    f"Question {self.function}: case {case.label!r} is for {case.question!r}"
                )

    @property
    def forbidden(self) -> frozenset[str]:
        """:mod:`ce_course` names the graded function may not call."""
        return REFERENCE_NAMES - self.allowed - ALWAYS_ALLOWED

    @property
    def max_score(self) -> float:
        """Total points: every case, the input-mutation check and vectorized code."""
        return float(sum(c.points for c in self.cases) + self.mutation_points + self.loop_points)

    def public_cases(self) -> list[Case]:
        """The cases ``check()`` runs in the notebook."""
        return [c for c in self.cases if not c.hidden]

    def tolerances(self, case: Case) -> tuple[float, float]:
        """``(rtol, atol)`` for ``case``."""
        return (
            self.rtol if case.rtol is None else case.rtol,
            self.atol if case.atol is None else case.atol,
        )

    def sizes(self, case: Case) -> dict[str, int]:
        """The sizes (``N``, ``C``, ...) of ``case`` that feedback may mention."""
        if self.context is not None:
            return self.context(case)
        for arg in case.args:
            if isinstance(arg, np.ndarray) and arg.ndim == 2:
                return {"N": arg.shape[0], "C": arg.shape[1]}
            if isinstance(arg, np.ndarray) and arg.ndim == 1:
                return {"C": arg.shape[0]}
        return {}

    def expected(self, case: Case) -> Any:
        """The expected output of ``case`` (its ``expected``, else the reference's)."""
        if case.expected is not None:
            return case.expected
        if case.raises:
            return None
        with np.errstate(all="ignore"):
            return self.reference(*case.args, **case.kwargs)

    def with_cases(self, extra: Sequence[Case]) -> Question:
        """A copy with ``extra`` cases appended (instructor's hidden tests)."""
        return Question(**{**self.__dict__, "cases": [*self.cases, *extra]})

    def with_seed(self, seed: str) -> Question:
        """A copy whose generated cases are drawn again, the hidden ones from ``seed``."""
        if not self.kinds:
            return self
        fixed = [c for c in self.cases if not c.kind]
        drawn = draw_cases(self.function, self.kinds, seed)
        return Question(**{**self.__dict__, "cases": [*fixed, *drawn]})


@dataclass
class Exercise:
    """One exercise notebook: its name (``"05_cross_entropy"``) and graded functions."""

    name: str
    title: str
    questions: list[Question]

    @property
    def functions(self) -> list[str]:
        """Names of the graded functions, in order."""
        return [q.function for q in self.questions]

    @property
    def max_score(self) -> float:
        """Total points of the exercise."""
        return float(sum(q.max_score for q in self.questions))

    def question(self, function: str) -> Question:
        """The question grading ``function``; ``KeyError`` naming the exercise if none."""
        for q in self.questions:
            if q.function == function:
                return q
        raise KeyError(f"exercise {self.name} has no graded function {function!r}")

    def with_seed(self, seed: str) -> Exercise:
        """A copy whose hidden generated cases are drawn from ``seed``."""
        return Exercise(self.name, self.title, [q.with_seed(seed) for q in self.questions])

    def with_cases(self, extra: Sequence[Case]) -> Exercise:
        """A copy with extra cases added to the questions they name."""
        by_q: dict[str, list[Case]] = {}
        for case in extra:
            self.question(case.question)
            by_q.setdefault(case.question, []).append(case)
        return Exercise(
            self.name,
            self.title,
            [q.with_cases(by_q.get(q.function, ())) for q in self.questions],
        )
