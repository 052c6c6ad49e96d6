"""Instructor's extra test cases: ``ce-course grade --hidden-tests DIR``.

Every ``*.py`` file directly in ``DIR`` (files starting with ``_`` or ``.`` are skipped) is run in
the grader's process (instructor code is trusted) and must define

``EXERCISE``
    the exercise it extends, e.g. ``"05_cross_entropy"`` (or ``"05"``);
``CASES``
    a list of :class:`ce_course.grading.Case`, each naming a graded function of that exercise.

Example, ``hidden/05_big_batch.py``::

    import numpy as np
    from ce_course.grading import Case

    EXERCISE = "05_cross_entropy"
    _rng = np.random.default_rng(123)
    CASES = [
        Case(
            "cross_entropy",
            "a batch of 1000 examples",          # all the learner is told
            args=(_rng.normal(size=(1000, 10)), _rng.integers(0, 10, 1000)),
            points=2,
        ),
    ]

A case is hidden unless it says ``hidden=False``; its expected output is computed with the
exercise's reference unless it gives ``expected=...``; ``rtol``, ``atol``, ``tags`` and
``check_dtype`` work as in the built-in cases (:class:`~ce_course.grading.spec.Case`). The extra
cases are added after the built-in ones, so every known-mistake diagnosis applies to them too.
The directory is unreadable from the worker that runs the submissions.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from .exercises import get_exercise
from .spec import Case

__all__ = ["HiddenTestsError", "load_hidden_tests"]


class HiddenTestsError(ValueError):
    """A hidden-tests file that cannot be used, with the file and the reason."""


def load_hidden_tests(directory: str) -> dict[str, list[Case]]:
    """Load the extra cases of every ``*.py`` file in ``directory``.

    Returns
    -------
    dict of str to list of Case
        Exercise name to its extra cases, in file-name order.

    Raises
    ------
    HiddenTestsError
        If the directory does not exist, a file fails to run, lacks ``EXERCISE`` or ``CASES``,
        names an unknown exercise or function, or a case's reference cannot be computed.
    """
    if not os.path.isdir(directory):
        raise HiddenTestsError(f"--hidden-tests: {directory} is not a directory")
    out: dict[str, list[Case]] = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".py") or name.startswith(("_", ".")):
            continue
        path = os.path.join(directory, name)
        module_name = f"_ce_course_hidden_{len(out)}_{os.path.splitext(name)[0]}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise HiddenTestsError(f"{path}: cannot be loaded as a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise HiddenTestsError(f"{path}: {type(exc).__name__}: {exc}") from exc
        finally:
            sys.modules.pop(module_name, None)
        exercise_name = getattr(module, "EXERCISE", None)
        cases = getattr(module, "CASES", None)
        if not isinstance(exercise_name, str):
            raise HiddenTestsError(f"{path}: defines no EXERCISE = '<exercise name>'")
        try:
            exercise = get_exercise(exercise_name)
        except KeyError as exc:
            raise HiddenTestsError(f"{path}: {exc.args[0]}") from None
        if not isinstance(cases, (list, tuple)) or not all(isinstance(c, Case) for c in cases):
            raise HiddenTestsError(f"{path}: CASES must be a list of ce_course.grading.Case")
        for case in cases:
            try:
                question = exercise.question(case.question)
            except KeyError as exc:
                raise HiddenTestsError(f"{path}: {exc.args[0]}") from None
            try:
                question.expected(case)
            except Exception as exc:
                raise HiddenTestsError(
                    f"{path}: the reference fails on case {case.label!r}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        out.setdefault(exercise.name, []).extend(cases)
    return out
