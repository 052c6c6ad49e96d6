"""The test definitions of the ten exercises, one module each.

Each module ``exNN_<name>.py`` defines ``EXERCISE``, an :class:`~ce_course.grading.spec.Exercise`
with its graded functions (questions), public and hidden cases, points, reference and known
mistakes. :func:`get_exercise` returns one by name, :func:`find_function` by graded function.

This package is only imported by the grader's process and by ``check()`` in a learner's session,
never by the worker that runs a submission.
"""

from __future__ import annotations

import re
from importlib import import_module

from ..spec import Exercise, Question

__all__ = [
    "EXERCISE_NAMES",
    "all_exercises",
    "exercise_from_filename",
    "find_function",
    "get_exercise",
    "weights_table",
]

EXERCISE_NAMES: tuple[str, ...] = (
    "01_chain_rule",
    "02_softmax",
    "03_stability",
    "04_jacobian",
    "05_cross_entropy",
    "06_gradient",
    "07_gradient_check",
    "08_linear_classifier",
    "09_two_layer_net",
    "10_lm_scale",
)
"""Every exercise, in course order."""

_MODULES = {name: f".ex{name}" for name in EXERCISE_NAMES}
_CACHE: dict[str, Exercise] = {}


def get_exercise(name: str) -> Exercise:
    """The exercise called ``name`` (``"05_cross_entropy"``; ``"05"`` also works).

    Raises
    ------
    KeyError
        Naming the unknown exercise and listing the known ones.

    Examples
    --------
    >>> ex = get_exercise("05")
    >>> ex.name, ex.functions
    ('05_cross_entropy', ['cross_entropy', 'ce_dp', 'smoothing_grad'])
    """
    full = name if name in _MODULES else None
    if full is None and re.fullmatch(r"0?[1-9]|10", name):
        full = EXERCISE_NAMES[int(name) - 1]
    if full is None:
        raise KeyError(f"unknown exercise {name!r}; the exercises are {', '.join(EXERCISE_NAMES)}")
    if full not in _CACHE:
        from ..symbolic.grading import with_derivations  # the derivation questions (issue 11)

        _CACHE[full] = with_derivations(import_module(_MODULES[full], __name__).EXERCISE)
    return _CACHE[full]


def all_exercises() -> list[Exercise]:
    """All ten exercises, in order."""
    return [get_exercise(name) for name in EXERCISE_NAMES]


def find_function(function: str) -> tuple[Exercise, Question]:
    """The exercise and question that grade the function named ``function``.

    Raises
    ------
    KeyError
        If no exercise grades a function of that name.

    Examples
    --------
    >>> ex, q = find_function("log_softmax")
    >>> ex.name, q.function
    ('03_stability', 'log_softmax')
    """
    for ex in all_exercises():
        for q in ex.questions:
            if q.function == function:
                return ex, q
    names = [q.function for ex in all_exercises() for q in ex.questions]
    raise KeyError(f"no exercise grades a function called {function!r}; graded: {', '.join(names)}")


def exercise_from_filename(filename: str) -> str | None:
    """Guess the exercise from a file name, or None.

    A full exercise name anywhere in the name wins (``alice_05_cross_entropy.ipynb``); otherwise a
    two-digit number ``01``-``10`` followed by ``_``, ``-``, ``.`` or the end, and not part of a
    longer number (``05_mine.py``, ``bob-07.py``). Several different numbers give None.

    Examples
    --------
    >>> exercise_from_filename("alice_05_cross_entropy.ipynb")
    '05_cross_entropy'
    >>> exercise_from_filename("submission-07.py")
    '07_gradient_check'
    >>> exercise_from_filename("2024_notes.py") is None
    True
    """
    stem = filename.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    lowered = stem.lower()
    full = {name for name in EXERCISE_NAMES if name in lowered}
    if len(full) == 1:
        return full.pop()
    numbers = set(re.findall(r"(?<![0-9])(0[1-9]|10)(?=[_\-.]|$)", lowered))
    if len(numbers) == 1:
        return EXERCISE_NAMES[int(numbers.pop()) - 1]
    return None


def _share(points: float, total: float) -> str:
    return f"{points:g} ({100 * points / total:.0f}%)" if total else "0"


def weights_table() -> str:
    """The points of every graded requirement, per question, as a Markdown table.

    Columns: the question's total; the cases (all kinds together); the cases whose inputs
    overflow or underflow careless code (tags ``large``, ``negative``, ``underflow``); a
    bad-input case (``ValueError``) or the ``y=None`` path; integer input (tag ``integers``:
    the result must be float64); leaving the inputs unchanged;
    vectorized code; and the share a named *convention* (``0.5 * reg``) costs, once.
    ``exercises/README.md`` quotes this table; a test keeps the two equal.
    """
    rows = [
        "| exercise | function | total | cases | stability cases | bad input / y=None "
        "| integer input | inputs unchanged | vectorized | 0.5·reg convention |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ex in all_exercises():
        for q in ex.questions:
            if getattr(q, "kind", "") == "derivation":  # a formula, not a function (issue 11)
                continue
            total = q.max_score
            cases = sum(c.points for c in q.cases)
            unstable = sum(
                c.points for c in q.cases if {"large", "negative", "underflow"} & set(c.tags)
            )
            contract = sum(c.points for c in q.cases if c.raises or c.parts is not None)
            integers = sum(c.points for c in q.cases if "integers" in c.tags)
            convention = max((m.convention for m in q.mistakes), default=0.0)
            rows.append(
                f"| {ex.name} | `{q.function}` | {total:g} | {cases:g} | "
                f"{_share(unstable, total)} | {_share(contract, total) if contract else '–'} | "
                f"{_share(integers, total) if integers else '–'} | "
                f"{_share(q.mutation_points, total) if q.mutation_points else '–'} | "
                f"{_share(q.loop_points, total) if q.loop_points else '–'} | "
                f"{f'{100 * convention:g}%' if convention else '–'} |"
            )
    return "\n".join(rows) + "\n"
