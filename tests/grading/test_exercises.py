"""The exercise definitions: names, cases, references, and that every known mistake is caught."""

from __future__ import annotations

import numpy as np
import pytest

from ce_course.grading.compare import evaluate_case, evaluate_question
from ce_course.grading.exercises import (
    EXERCISE_NAMES,
    all_exercises,
    exercise_from_filename,
    find_function,
    get_exercise,
)
from ce_course.grading.guard import REFERENCE_NAMES
from ce_course.grading.serialize import decode, encode

QUESTIONS = [
    (ex, q)
    for ex in all_exercises()
    for q in ex.questions
    if getattr(q, "kind", "") != "derivation"
]  # derivation questions (formulas) are tested in test_derivations.py
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
        if case.raises:
            with pytest.raises(Exception) as info:
                q.reference(*case.args, **case.kwargs)
            assert type(info.value).__name__ == case.raises
            err = {"type": case.raises, "message": f"{q.function}: {info.value}"}
            out = evaluate_case(q, case, None, {"status": "error", "error": err})
            assert out.passed and out.score == case.points
            out = evaluate_case(q, case, None, {"status": "ok", "value": 1.0})
            assert not out.passed and case.raises in out.message
            continue
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
    """Run the mistake as if a learner had written it: it must fail with its own message,
    named once for the question, and only mistakes that behave the same on every case."""
    public = [q.expected(c) for c in q.public_cases()]
    results = []
    for case in q.cases:
        try:
            with np.errstate(all="ignore"):
                value = mistake.compute(*case.args, **case.kwargs)
        except Exception:
            results.append({"status": "error", "error": {"type": "Exception", "message": ""}})
            continue
        results.append({"status": "ok", "value": decode(encode(value))})
    out = evaluate_question(q, q.cases, results, public_expected=public)
    failed = [o for o in out.cases if o is not None and not o.passed]
    assert failed, f"{mistake.key} is never wrong on {q.function}'s cases"
    assert any(d.startswith(mistake.message) for d in out.diagnoses), (
        out.diagnoses,
        [o.message for o in failed],
    )
    assert len(out.diagnoses) == len(set(out.diagnoses))
    assert any(mistake.message in o.message for o in failed)


@pytest.mark.parametrize(("ex", "q"), QUESTIONS, ids=lambda v: getattr(v, "function", ""))
def test_every_hidden_kind_has_a_public_case(ex, q) -> None:
    """No surprises: the grader's hidden cases are of kinds check() has already shown."""
    if not q.kinds:
        pytest.skip(f"{q.function} has fixed cases only")
    public = {c.kind for c in q.cases if not c.hidden}
    hidden = {c.kind for c in q.cases if c.hidden}
    assert hidden <= public, hidden - public
    if ex.name not in ("01_chain_rule", "04_jacobian", "07_gradient_check"):  # no batch axis
        assert "n1" in hidden, "every batched question has a one-example kind"


@pytest.mark.parametrize(("ex", "q"), QUESTIONS, ids=lambda v: getattr(v, "function", ""))
def test_hidden_cases_come_from_the_seed(ex, q) -> None:
    if not q.kinds:
        pytest.skip(f"{q.function} has fixed cases only")
    other = q.with_seed("an instructor's secret")
    assert [c.label for c in other.cases] == [c.label for c in q.cases]
    pub = [(a, b) for a, b in zip(q.cases, other.cases, strict=True) if not a.hidden]
    hid = [(a, b) for a, b in zip(q.cases, other.cases, strict=True) if a.hidden]
    same = [encode(a.args) == encode(b.args) for a, b in pub]
    assert all(same)
    differ = [encode(a.args) != encode(b.args) for a, b in hid]
    assert sum(differ) >= len(hid) // 2
    for case in other.cases:  # the reference is well defined whatever the seed
        if not case.raises:
            e = other.expected(case)
            arrays = [e] if not isinstance(e, (tuple, list)) else list(e)
            for x in arrays:
                vals = list(x.values()) if isinstance(x, dict) else [x]
                assert all(np.all(np.isfinite(np.asarray(v))) for v in vals), case.label


def test_the_readme_quotes_the_weights_the_grader_uses() -> None:
    from pathlib import Path

    from ce_course.grading.exercises import weights_table

    readme = Path(__file__).parents[2] / "exercises" / "README.md"
    assert weights_table() in readme.read_text(encoding="utf-8")
    for ex in all_exercises():
        for q in ex.questions:
            convention = [m.convention for m in q.mistakes if m.convention]
            unstable = sum(
                c.points for c in q.cases if {"large", "negative", "underflow"} & set(c.tags)
            )
            if convention:  # a convention costs a small share, less than nan on large logits
                assert max(convention) <= 0.1
                assert unstable > max(convention) * q.max_score
