"""The exercise definitions: names, cases, references, and that every known mistake is caught."""

from __future__ import annotations

import numpy as np
import pytest

from ce_course.grading.compare import evaluate_case
from ce_course.grading.exercises import (
    EXERCISE_NAMES,
    all_exercises,
    exercise_from_filename,
    find_function,
    get_exercise,
)
from ce_course.grading.guard import REFERENCE_NAMES
from ce_course.grading.serialize import decode, encode

QUESTIONS = [(ex, q) for ex in all_exercises() for q in ex.questions]
MISTAKES = [(q, m) for _, q in QUESTIONS for m in q.mistakes]


def test_names_and_lookup() -> None:
    assert [ex.name for ex in all_exercises()] == list(EXERCISE_NAMES)
    assert get_exercise("5").name == get_exercise("05").name == "05_cross_entropy"
    assert find_function("two_layer_loss")[0].name == "09_two_layer_net"
    assert get_exercise("10").name == "10_lm_scale"
    assert find_function("linear_ce_backward")[0].name == "10_lm_scale"
    with pytest.raises(KeyError, match="unknown exercise '11'"):
        get_exercise("11")
    with pytest.raises(KeyError, match="no exercise grades"):
        find_function("sigmoid")
    functions = [q.function for _, q in QUESTIONS]
    assert len(functions) == len(set(functions)) == 14


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("alice_05_cross_entropy.ipynb", "05_cross_entropy"),
        ("05_cross_entropy.py", "05_cross_entropy"),
        ("bob-07.py", "07_gradient_check"),
        ("03_mine.ipynb", "03_stability"),
        ("09.py", "09_two_layer_net"),
        ("2024_notes.py", None),
        ("hw_01_02.py", None),
        ("submission.py", None),
        ("alice_10_extra.py", "10_lm_scale"),
        ("alice_11_extra.py", None),
        ("2010_notes.py", None),
    ],
)
def test_exercise_from_filename(filename: str, expected: str | None) -> None:
    assert exercise_from_filename(filename) == expected


@pytest.mark.parametrize(("ex", "q"), QUESTIONS, ids=lambda v: getattr(v, "function", ""))
def test_questions_are_well_formed(ex, q) -> None:
    assert q.public_cases(), "check() needs public cases"
    hidden = [c for c in q.cases if c.hidden]
    assert len(hidden) >= 3
    assert all(c.points > 0 for c in q.cases)
    assert ex.name.startswith(("01", "07")) or {"large", "negative", "underflow"} & set().union(
        *(c.tags for c in hidden)
    ), "hidden cases must include adversarial inputs"
    for case in q.cases:
        expected = q.expected(case)
        flat = [expected] if not isinstance(expected, (tuple, dict)) else expected
        assert flat is not None
        for e in np.atleast_1d(
            np.asarray(expected[0] if isinstance(expected, tuple) else expected)
        ):
            assert np.all(np.isfinite(e)), (case.label, expected)
        out = evaluate_case(q, case, expected, {"status": "ok", "value": decode(encode(expected))})
        assert out.passed and out.score == case.points
    assert q.forbidden <= REFERENCE_NAMES
    assert {"numerical_gradient", "check_gradient"} <= q.forbidden
    if q.function in REFERENCE_NAMES:
        assert q.function in q.forbidden


@pytest.mark.parametrize(("q", "mistake"), MISTAKES, ids=lambda v: getattr(v, "key", ""))
def test_every_known_mistake_is_caught_and_explained(q, mistake) -> None:
    """Run the mistake as if a learner had written it: it must fail with its own message."""
    public = [q.expected(c) for c in q.public_cases()]
    messages = []
    for case in q.cases:
        try:
            with np.errstate(all="ignore"):
                value = mistake.compute(*case.args, **case.kwargs)
        except Exception:
            continue
        raw = {"status": "ok", "value": decode(encode(value))}
        out = evaluate_case(q, case, q.expected(case), raw, public_expected=public)
        if not out.passed:
            messages.append(out.message)
    assert messages, f"{mistake.key} is never wrong on {q.function}'s cases"
    assert any(mistake.message in m for m in messages), messages
