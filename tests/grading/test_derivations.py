"""The derivation questions graded end to end: the held-out corpus through the checker, through
``check()`` in a notebook namespace and through the grader (``ce-course grade``), the learner
stubs, the notebook cells and the book's self-check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from derivation_corpus import CORRECT, INJECTIONS, WRONG

from ce_course.grading import check, check_derivation
from ce_course.grading.exercises import get_exercise
from ce_course.grading.grader import grade_paths
from ce_course.grading.runner import QuestionRun
from ce_course.grading.symbolic import DERIVATIONS, check_answer, get_derivation
from ce_course.grading.symbolic.grading import DerivationQuestion, grade_derivation, make_question

ROOT = Path(__file__).parents[2]


def _rates(verdicts: list[tuple[bool, bool, bool]]) -> tuple[float, float, float]:
    correct = [ok for kind, ok, _ in verdicts if kind]
    wrong = [(ok, key_ok) for kind, ok, key_ok in verdicts if not kind]
    accepted = sum(correct) / len(correct)
    rejected = sum(not ok for ok, _ in wrong) / len(wrong)
    feedback = sum(key_ok for _, key_ok in wrong) / len(wrong)
    return accepted, rejected, feedback


def test_the_corpus_is_large_enough() -> None:
    assert len(DERIVATIONS) >= 15
    assert {d.name for d in DERIVATIONS} == set(CORRECT) == set(WRONG)
    for d in DERIVATIONS:
        assert len(CORRECT[d.name]) >= 6, d.name
        assert len(WRONG[d.name]) >= 6, d.name
        # every anticipated mistake is exercised by a wrong answer
        assert {m.key for m in d.mistakes} <= {key for _, key in WRONG[d.name]}, d.name
    # and mostly written differently from the mistake's own expression (so the match is by value)
    exprs = {(d.name, m.expression.replace(" ", "")) for d in DERIVATIONS for m in d.mistakes}
    anticipated = [
        (d.name, a.replace(" ", ""))
        for d in DERIVATIONS
        for a, key in WRONG[d.name]
        if key in {m.key for m in d.mistakes}
    ]
    verbatim = [a for a in anticipated if a in exprs]
    assert len(verbatim) <= len(anticipated) // 3, verbatim


def test_every_correct_form_is_accepted_and_every_wrong_one_rejected() -> None:
    verdicts = []
    failures = []
    for d in DERIVATIONS:
        for answer in CORRECT[d.name]:
            public = check_answer(d, answer)
            hidden = check_answer(d, answer, hidden=True, prove=False)
            ok = public.correct and hidden.correct and public.credit == 1.0
            verdicts.append((True, ok, ok))
            if not ok:
                failures.append((d.name, answer, public.message))
        for answer, key in WRONG[d.name]:
            public = check_answer(d, answer)
            hidden = check_answer(d, answer, hidden=True, prove=False)
            rejected = not public.correct and not hidden.correct and public.credit < 1
            verdicts.append((False, not rejected, public.key == key))
            if not rejected or public.key != key:
                failures.append((d.name, answer, key, public.key, public.message))
    accepted, rejected, feedback = _rates(verdicts)
    print(f"accepted {accepted:.1%}, rejected {rejected:.1%}, anticipated feedback {feedback:.1%}")
    assert accepted == 1.0 and rejected == 1.0, failures
    assert feedback >= 0.95, failures


def test_correct_forms_are_proved_by_sympy() -> None:
    unproved = [
        (d.name, a) for d in DERIVATIONS for a in CORRECT[d.name] if not check_answer(d, a).proved
    ]
    assert len(unproved) <= 2, unproved


def test_anticipated_mistakes_earn_their_credit_and_explain() -> None:
    d = get_derivation("jacobian_offdiag")
    r = check_answer(d, "p_i - p_i*p_j")
    assert r.status == "anticipated" and r.credit == 0.5
    assert "as if it were e^{z_j}" in r.message
    r = check_answer(get_derivation("ce_dz"), "-y_i/p_i*p_i*(1 - p_i)")
    assert "through every p_j" in r.message
    assert "2·reg·W_dc" in check_answer(get_derivation("linear_dW_reg"), LINEAR_NO_2).message
    assert "1/T" in check_answer(get_derivation("temperature_grad"), "p_i - y_i").message
    assert "1/N" in check_answer(get_derivation("batch_dz"), "p_{n,i} - y_{n,i}").message
    assert "x_{n,d}" in check_answer(get_derivation("linear_dW"), "sum_n(p_nc - y_nc)/N").message


LINEAR_NO_2 = "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N + reg*W_{d,c}"


def test_unanticipated_answers_are_told_the_failed_test() -> None:
    r = check_answer(get_derivation("ce_dz"), "p_i - y_i^2")
    assert r.key == "zero-sum" and "not 0 when summed over i" in r.message
    r = check_answer(get_derivation("jacobian_offdiag"), "-p_i*p_j*(1 - p_i)")
    assert r.key == "differs"
    assert r.message.startswith("it differs at p = (0.2, 0.3, 0.5), i = 0, j = 1: yours ")
    assert "expected −0.06" in r.message
    r = check_answer(get_derivation("batch_dz"), "(p_{n,i} - y_{n,i})/(2*N)")
    assert r.key == "factor" and "0.5 times" in r.message
    r = check_answer(get_derivation("jacobian_diag"), "log(p_i - 1)")
    assert r.key == "undefined"


def test_empty_and_non_string_answers() -> None:
    d = get_derivation("ce_dz")
    assert check_answer(d, "").status == "empty"
    assert check_answer(d, "   ").status == "empty"
    r = check_answer(d, 3)
    assert r.status == "parse_error" and "must be a string" in r.message


def test_check_in_the_notebook_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    verdicts = []
    for d in DERIVATIONS:
        for answer in CORRECT[d.name]:
            result = check(d.name, namespace={d.variable: answer})
            verdicts.append((True, result.passed, result.passed))
        for answer, key in WRONG[d.name]:
            result = check(d.name, namespace={d.variable: answer})
            expected = check_answer(d, answer)
            verdicts.append((False, result.passed, expected.key == key))
            assert result.score == pytest.approx(expected.credit * d.points)
    accepted, rejected, feedback = _rates(verdicts)
    assert accepted == rejected == 1.0 and feedback >= 0.95
    capsys.readouterr()
    check("jacobian_offdiag", namespace={"answer_jacobian_offdiag": "-p_i*p_j"})
    out = capsys.readouterr().out
    assert "jacobian_offdiag: 2/2 on the public check" in out
    assert "✓ jacobian_offdiag: correct (proved by SymPy)" in out
    assert "your answer: $-p_{i} p_{j}$" in out
    check("jacobian_offdiag", namespace={"answer_jacobian_offdiag": "p_i*(1 - p_j"})
    out = capsys.readouterr().out
    assert "expected ')' to close the '(' at column 5" in out and "^" in out
    result = check("jacobian_offdiag", namespace={"answer_jacobian_offdiag": ""})
    assert "not answered yet" in capsys.readouterr().out and not result.passed
    result = check("jacobian_offdiag", namespace={})
    assert "no variable answer_jacobian_offdiag" in capsys.readouterr().out


def _run(value: object, length: int | None = None) -> QuestionRun:
    raw = {"status": "ok", "value": value}
    if isinstance(value, str):
        raw["answer_length"] = len(value) if length is None else length
    return QuestionRun("q", "done", [raw])


def test_the_grader_scores_the_corpus() -> None:
    for d in DERIVATIONS:
        q = make_question(d)
        for answer in CORRECT[d.name]:
            report = grade_derivation(q, _run(answer))
            assert report.status == "passed" and report.score == q.max_score, (answer, report)
        for answer, key in WRONG[d.name]:
            report = grade_derivation(q, _run(answer))
            assert report.status in ("partial", "failed"), (answer, report)
            assert report.score < q.max_score
            expected = check_answer(d, answer)
            assert expected.key == key
            assert any(expected.message.splitlines()[0] in line for line in report.feedback)
    q = make_question(get_derivation("ce_dz"))
    assert grade_derivation(q, _run("")).status == "not_implemented"
    assert "limit is 500" in grade_derivation(q, _run("p_i - y_i", 10**6)).feedback[0]
    assert "must be a string" in grade_derivation(q, _run(None)).feedback[0]
    missing = QuestionRun("q", "done", [{"status": "missing", "value": None}])
    assert grade_derivation(q, missing).status == "missing"
    timeout = QuestionRun("q", "timeout", [], "timed out after 4 s")
    assert grade_derivation(q, timeout).status == "timeout"


def test_exercises_include_their_derivations() -> None:
    ex = get_exercise("04_jacobian")
    kinds = {q.function: getattr(q, "kind", "function") for q in ex.questions}
    assert kinds == {
        "softmax_jacobian": "function",
        "jacobian_diag": "derivation",
        "jacobian_offdiag": "derivation",
        "jacobian_delta": "derivation",
    }
    q = ex.question("jacobian_offdiag")
    assert isinstance(q, DerivationQuestion) and q.variable == "answer_jacobian_offdiag"
    assert q.max_score == 3 and [c.hidden for c in q.cases] == [False, True]
    assert sum(
        1
        for e in map(get_exercise, [f"0{k}" for k in range(1, 10)])
        for q in e.questions
        if getattr(q, "kind", "") == "derivation"
    ) == len(DERIVATIONS)


SUBMISSION = """
import os

answer_jacobian_diag = "p_i*(1 - p_i)"
answer_jacobian_offdiag = "p_i*(1 - p_j)"
answer_jacobian_delta = "__import__('os').system('touch {marker}')"


class Sneaky(str):
    def __str__(self):
        os.system("touch {marker}")
        return "-p_i*p_j"
"""


def test_ce_course_grade_end_to_end(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    good = tmp_path / "04_good.py"
    good.write_text(
        'answer_jacobian_diag = "p_i - p_i**2"\n'
        'answer_jacobian_offdiag = "-exp(z_i)*exp(z_j)/sum_k(exp(z_k))^2"\n'
        'answer_jacobian_delta = "p_j*(delta(i,j) - p_i)"\n',
        encoding="utf-8",
    )
    bad = tmp_path / "04_bad.py"
    bad.write_text(SUBMISSION.format(marker=marker), encoding="utf-8")
    sneaky = tmp_path / "04_sneaky.py"
    sneaky.write_text(
        SUBMISSION.format(marker=marker) + 'answer_jacobian_diag = Sneaky("x")\n'
        'answer_jacobian_offdiag = "p_i" + " " * 600 + "- p_i*p_j"\n',
        encoding="utf-8",
    )
    reports = {
        Path(r.path).name: r for r in grade_paths([str(good), str(bad), str(sneaky)], timeout=4)
    }
    by = {n: {q.function: q for q in r.questions} for n, r in reports.items()}
    for name in ("jacobian_diag", "jacobian_offdiag", "jacobian_delta"):
        assert by["04_good.py"][name].status == "passed"
    assert by["04_bad.py"]["jacobian_diag"].status == "passed"
    off = by["04_bad.py"]["jacobian_offdiag"]
    assert off.status == "partial" and off.score == 1.5
    assert any("as if it were e^{z_j}" in line for line in off.feedback)
    delta = by["04_bad.py"]["jacobian_delta"]
    assert delta.status == "failed" and "unexpected character '_' at column 1" in delta.feedback[0]
    assert "must be a string" in by["04_sneaky.py"]["jacobian_diag"].feedback[0]
    assert "limit is 500" in by["04_sneaky.py"]["jacobian_offdiag"].feedback[0]
    assert not marker.exists()
    from ce_course.grading.report import format_reports

    doc = json.loads(format_reports(list(reports.values()), "json"))
    names = [q["function"] for q in doc["submissions"][0]["questions"]]
    assert names == ["softmax_jacobian", "jacobian_diag", "jacobian_offdiag", "jacobian_delta"]
    assert "jacobian_offdiag" in format_reports(list(reports.values()), "csv").splitlines()[0]


def test_learner_notebooks_have_empty_answer_stubs() -> None:
    for d in DERIVATIONS:
        source = json.loads((ROOT / "exercises" / "source" / f"{d.exercise}.ipynb").read_text())
        learner = json.loads((ROOT / "exercises" / f"{d.exercise}.ipynb").read_text())
        src = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
        mine = [c for c in learner["cells"] if c["cell_type"] == "code"]
        assert any(f'{d.variable} = "' in s and "BEGIN SOLUTION" in s for s in src), d.name
        stub = [c for c in mine if f"{d.variable} = " in "".join(c["source"])]
        assert len(stub) == 1, d.name
        text = "".join(stub[0]["source"])
        assert f'{d.variable} = ""' in text and "SOLUTION" not in text and d.answer not in text
        assert "raises-exception" not in stub[0].get("metadata", {}).get("tags", [])
        assert any(f'check("{d.name}")' in "".join(c["source"]) for c in mine)


def test_the_books_self_check(capsys: pytest.CaptureFixture[str]) -> None:
    r = check_derivation("jacobian_offdiag", "-p_i*p_j")
    assert r.correct
    out = capsys.readouterr().out
    assert "✓ jacobian_offdiag: correct" in out and "$-p_{i} p_{j}$" in out
    r = check_derivation("ce_dz", "-y_i*(1 - p_i)")
    assert r.key == "one-route" and "through every p_j" in capsys.readouterr().out
    with pytest.raises(KeyError, match="no derivation question called 'nope'"):
        check_derivation("nope", "1")


@pytest.mark.parametrize("text", INJECTIONS[:12])
def test_injections_through_check(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = check("jacobian_delta", namespace={"answer_jacobian_delta": text})
    assert not result.passed and result.score == 0
    assert "✗" in capsys.readouterr().out


def test_the_whole_corpus_through_ce_course_grade(tmp_path: Path) -> None:
    """Each answer of the corpus in a submission of its own exercise, graded by the real worker."""
    expected: dict[tuple[str, str], tuple[str, str | None]] = {}
    paths = []
    for ex in sorted({d.exercise for d in DERIVATIONS}):
        ds = [d for d in DERIVATIONS if d.exercise == ex]
        items = {d.name: [(a, None) for a in CORRECT[d.name]] + WRONG[d.name] for d in ds}
        for r in range(max(len(v) for v in items.values())):
            path = tmp_path / f"{ex}__r{r:02d}.py"
            lines = []
            for d in ds:
                answer, key = items[d.name][r % len(items[d.name])]
                lines.append(f"{d.variable} = {answer!r}")
                expected[(path.name, d.name)] = (answer, key)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            paths.append(str(path))
    reports = grade_paths(paths, timeout=4, jobs=2)
    verdicts = []
    for report in reports:
        assert report.status == "graded", report.messages
        for q in report.questions:
            if (Path(report.path).name, q.function) not in expected:
                continue
            answer, key = expected[(Path(report.path).name, q.function)]
            d = get_derivation(q.function)
            if key is None:
                verdicts.append((True, q.status == "passed", True))
            else:
                got = check_answer(d, answer)
                text = " ".join(q.feedback)
                verdicts.append((False, q.status == "passed", got.key == key and got.line in text))
    accepted, rejected, feedback = _rates(verdicts)
    print(
        f"ce-course grade: {len(verdicts)} answers in {len(paths)} submissions; accepted "
        f"{accepted:.1%}, rejected {rejected:.1%}, anticipated feedback {feedback:.1%}"
    )
    assert accepted == rejected == 1.0 and feedback >= 0.95


def test_the_second_held_out_set() -> None:
    from derivation_corpus import HOLDOUT_CORRECT, HOLDOUT_WRONG

    for name, answer in HOLDOUT_CORRECT:
        assert check_answer(get_derivation(name), answer).correct, (name, answer)
    for name, answer, key in HOLDOUT_WRONG:
        result = check_answer(get_derivation(name), answer)
        assert not result.correct and result.key == key, (name, answer, result.message)
