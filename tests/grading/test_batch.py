"""The grader on real submissions, all graded in one mixed batch (see ``conftest.graded``).

* every reference solution, and every correct but differently written one, gets full marks;
* every learner stub derived from a solution scores 0 with "not implemented yet";
* every wrong submission loses points on the declared question, with the declared explanation,
  and keeps full marks where it declares so;
* every hostile submission is contained: it loses its points with a clear message, and the good
  submissions of the same batch are unaffected;
* the instructor notebooks of ``exercises/source`` score full marks and their generated learner
  versions 0 (skipped while that directory does not exist).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_support import SUBMISSIONS, Batch, expectation, files

from ce_course.grading.exercises import EXERCISE_NAMES, get_exercise
from ce_course.grading.grader import grade_paths


def _feedback(report, function: str) -> str:
    q = next(q for q in report.questions if q.function == function)
    return "\n".join(q.feedback)


def test_every_exercise_has_a_reference_solution_and_wrong_submissions() -> None:
    good = {p.stem for p in files("good")}
    assert good == set(EXERCISE_NAMES)
    for name in EXERCISE_NAMES:
        wrong = [p for p in files("wrong") if p.name.startswith(name)]
        assert len(wrong) >= 4, f"only {len(wrong)} wrong submissions for {name}"


@pytest.mark.parametrize("path", files("good") + files("alternative"), ids=lambda p: p.name)
def test_correct_solutions_get_full_marks(graded: Batch, path: Path) -> None:
    report = graded[path]
    assert report.status == "graded", report.messages
    assert report.exercise == path.name.split("__")[0].removesuffix(".py")
    failing = {q.function: q.feedback for q in report.questions if q.score != q.max_score}
    assert not failing
    assert report.score == report.max_score == get_exercise(report.exercise).max_score


def test_learner_stubs_score_zero(graded: Batch) -> None:
    assert len(graded.paths["stubs"]) == len(EXERCISE_NAMES)
    for path in graded.paths["stubs"]:
        report = graded[path]
        assert report.status == "graded"
        assert report.score == 0, path
        for q in report.questions:
            assert q.status == "not_implemented"
            assert q.feedback == ["not implemented yet"]


@pytest.mark.parametrize("path", files("wrong"), ids=lambda p: p.name)
def test_wrong_submissions_lose_points_with_the_right_explanation(
    graded: Batch, path: Path
) -> None:
    expect = expectation(path)
    report = graded[path]
    assert report.status == "graded", report.messages
    by_name = {q.function: q for q in report.questions}
    for function, keyword in expect["lose"].items():
        q = by_name[function]
        assert q.score < q.max_score, f"{function} kept full marks"
        assert keyword in _feedback(report, function), (keyword, q.feedback)
    for function in expect.get("keep", []):
        q = by_name[function]
        assert q.score == q.max_score, q.feedback


@pytest.mark.parametrize("path", files("hostile"), ids=lambda p: p.name)
def test_hostile_submissions_are_contained(graded: Batch, path: Path) -> None:
    expect = expectation(path)
    if expect.get("own_batch"):  # a slow one: with a short load timeout, beside a good one
        good = SUBMISSIONS / "good" / "02_softmax.py"
        report, other = grade_paths([str(path), str(good)], timeout=2, load_timeout=3, jobs=2)
        assert other.score == other.max_score
    else:
        report = graded[path]
    assert report.status == expect["status"], report.messages
    if expect.get("full"):
        assert report.score == report.max_score, [q.feedback for q in report.questions]
    for function, keyword in expect.get("lose", {}).items():
        q = next(q for q in report.questions if q.function == function)
        assert q.score == 0
        text = _feedback(report, function) + "\n".join(report.messages)
        assert keyword in text, (keyword, q.feedback, report.messages)
    for function in expect.get("keep", []):
        q = next(q for q in report.questions if q.function == function)
        assert q.score == q.max_score, q.feedback


def test_malformed_submissions_are_recorded(graded: Batch) -> None:
    for path, expect in graded.malformed.items():
        report = graded[path]
        assert report.status == expect["status"], report.messages
        assert report.exercise == "02_softmax"
        assert report.max_score == get_exercise("02_softmax").max_score
        for function, keyword in expect["lose"].items():
            q = next(q for q in report.questions if q.function == function)
            assert q.score == 0
            assert keyword in _feedback(report, function) + "\n".join(report.messages)


def test_hostile_submissions_did_not_touch_the_grader() -> None:
    exercises = Path(__file__).parents[2] / "ce_course" / "grading" / "exercises"
    assert "pwned" not in (exercises / "ex02_softmax.py").read_text(encoding="utf-8")
    assert not list(exercises.glob("pwned*"))


def test_the_batch_graded_everything(graded: Batch) -> None:
    every = [p for group in graded.paths.values() for p in group]
    assert sorted(graded.by_path) == sorted(every)
    wrong = [graded[p] for p in graded.paths["wrong"]]
    caught = [r for r in wrong if r.score < r.max_score]
    assert len(caught) == len(wrong)


def test_big_output_is_capped(graded: Batch) -> None:
    path = next(p for p in graded.paths["hostile"] if p.endswith("huge_print.py"))
    assert graded[path].score == graded[path].max_score


@pytest.mark.parametrize("kind", ["source_notebooks", "learner_notebooks"])
def test_exercise_notebooks(graded: Batch, kind: str) -> None:
    paths = graded.paths[kind]
    if not paths:
        pytest.skip("exercises/source/*.ipynb does not exist yet")
    for path in paths:
        report = graded[path]
        assert report.status == "graded", (path, report.messages)
        if kind == "source_notebooks":
            assert report.score == report.max_score, (
                path,
                [q.feedback for q in report.questions if q.score < q.max_score],
            )
        else:
            assert report.score == 0, (path, [q.feedback for q in report.questions])


def _public_green(q) -> bool:
    """What check() would show: every public case ✓ and no remark about the function."""
    remarks = ("modifies its input", "adds or removes keys", "loops over the", "a convention")
    public = [c for c in q.cases if not c.hidden]
    return (
        bool(public)
        and all(c.passed for c in public)
        and q.status != "reference_used"
        and not any(r in line for line in q.feedback for r in remarks)
    )


@pytest.mark.parametrize("path", files("wrong"), ids=lambda p: p.name)
def test_wrong_submissions_get_exactly_their_diagnoses(graded: Batch, path: Path) -> None:
    """The declared mistakes are named, no other known mistake is, and no wrong hint is."""
    expect = expectation(path)
    report = graded[path]
    by_name = {q.function: q for q in report.questions}
    for function, keys in expect.get("mistakes", {}).items():
        assert sorted(by_name[function].mistakes) == sorted(keys), by_name[function].feedback
    for text in expect.get("not", []):
        for q in report.questions:
            assert text not in "\n".join(q.feedback), (text, q.feedback)
    if "min_share" in expect:  # over the functions it declares (not derivation questions)
        for function in expect["lose"]:
            q = by_name[function]
            assert q.score >= expect["min_share"] * q.max_score, q.feedback


def _coded(report) -> list:
    """The report's graded functions (derivation questions, answered by a formula, aside)."""
    exercise = get_exercise(report.exercise)
    return [
        q
        for q in report.questions
        if getattr(exercise.question(q.function), "kind", "") != "derivation"
    ]


def test_an_all_green_check_predicts_at_least_90_percent(graded: Batch) -> None:
    """No surprises: whoever sees every public case pass gets at least 90% of the points, and
    few wrong submissions see an all-green check() (hard-coding check()'s answers aside)."""
    green = []
    for path in graded.paths["wrong"]:
        report = graded[path]
        questions = _coded(report)
        hardcoded = any(
            "answer of the notebook's example" in f for q in questions for f in q.feedback
        )
        if hardcoded:
            continue
        if all(_public_green(q) for q in questions):
            green.append(Path(path).name)
            score = sum(q.score for q in questions)
            assert score >= 0.9 * sum(q.max_score for q in questions), (path, questions)
    wrong = len(graded.paths["wrong"])
    assert len(green) <= 0.05 * wrong, f"{len(green)} of {wrong} see an all-green check(): {green}"
