"""The autograder of the course's exercises, and ``check()`` for the learner's notebook.

Learners call :func:`check` after writing a graded function::

    from ce_course.grading import check
    check("softmax")

Instructors grade submissions (notebooks or ``.py`` files) with ``ce-course grade`` and generate
the learner notebooks from the instructor sources with ``ce-course assign``.

Layout
------
:mod:`.exercises`
    one module per exercise: cases (public and hidden), points, reference, known mistakes.
:mod:`.spec`, :mod:`.compare`
    the data model, and the comparison that explains a wrong output.
:mod:`.submission`, :mod:`.static`
    reading a notebook or a file; finding reference use in its source.
:mod:`.runner`, :mod:`.worker`, :mod:`.serialize`, :mod:`.guard`, :mod:`.probes`
    running a submission in a separate, limited process that returns plain data only.
:mod:`.sandbox`, :mod:`.view`
    the bubblewrap sandbox of the workers; the learner-facing copy of :mod:`ce_course` they import
    (forbidden references replaced by stubs, no case definitions).
:mod:`.gradescope`
    the Gradescope autograder package and its ``results.json``.
:mod:`.grader`, :mod:`.report`, :mod:`.hidden`
    scoring, the four report formats, the instructor's extra tests.
:mod:`.assign`, :mod:`.learner_check`, :mod:`.cli`
    learner notebooks, the in-notebook check, the command line.
:mod:`.symbolic`
    derivation questions: a formula answered as a string (``answer_jacobian_offdiag =
    "-p_i*p_j"``), parsed with a closed grammar and judged numerically and with SymPy;
    :func:`check_derivation` is the book's inline self-check.

Reference policy
----------------
A graded function gets no credit if it calls the :mod:`ce_course` reference of its own exercise
or of a later one, a private helper of :mod:`ce_course`, a numerical gradient in place of an
analytic one (``numerical_gradient``, ``check_gradient``, ``scipy.optimize.approx_fprime``), or
PyTorch, JAX, TensorFlow, autograd or scikit-learn. It may call what an *earlier* exercise asked
the learner to write (``softmax``, ``logsumexp``, ``log_softmax`` from exercise 04 on,
``cross_entropy`` in 06, ``cross_entropy_grad`` and ``softmax_cross_entropy`` in 08 and 09...),
and the utilities ``one_hot`` and ``make_spiral`` everywhere; ``scipy.special.softmax``,
``log_softmax`` and ``logsumexp`` follow the same rule as their :mod:`ce_course` counterparts.
Each :class:`~.spec.Question` lists what it allows in ``allowed``.
"""

from __future__ import annotations

from typing import Any

from .learner_check import CheckResult, check

__all__ = [
    "Case",
    "CheckResult",
    "Probe",
    "check",
    "check_derivation",
    "format_reports",
    "get_exercise",
    "grade_paths",
    "grade_submission",
]

_LAZY = {
    "Case": ".spec",
    "Probe": ".probes",
    "check_derivation": ".symbolic",
    "format_reports": ".report",
    "get_exercise": ".exercises",
    "grade_paths": ".grader",
    "grade_submission": ".grader",
}


def __getattr__(name: str) -> Any:
    """Import the grader's heavier parts only when used (the worker never needs them)."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
