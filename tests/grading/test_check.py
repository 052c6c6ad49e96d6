"""``check()`` as a learner uses it in a notebook: in-process, never raises, clear feedback."""

from __future__ import annotations

import numpy as np
import pytest

import ce_course
import ce_course.grading.learner_check as check_module
from ce_course.grading import CheckResult, check
from ce_course.grading.exercises import get_exercise


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


def _good_softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def test_correct_function_passes(capsys: pytest.CaptureFixture[str]) -> None:
    result = check("softmax", namespace={"softmax": _good_softmax})
    out = capsys.readouterr().out
    assert isinstance(result, CheckResult)
    public = get_exercise("02").questions[0].public_cases()
    assert result.passed and result.score == result.max_score == sum(c.points for c in public)
    assert result.cases_passed == len(public) == len(result.cases)
    assert "✓ one example x = [1, 2, 3]" in out and "✗" not in out
    assert f"{len(public)}/{len(public)} public cases pass" in repr(result)


def test_finds_the_function_in_the_callers_globals(capsys: pytest.CaptureFixture[str]) -> None:
    global cross_entropy

    def cross_entropy(logits, y):
        m = logits.max(axis=1, keepdims=True)
        logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
        return -np.sum(logp[np.arange(len(y)), y])  # forgot the mean

    try:
        result = check("cross_entropy")
    finally:
        del cross_entropy
    out = capsys.readouterr().out
    assert not result.passed and result.score < result.max_score / 2
    assert "divide by N" in out


def test_stub_is_not_implemented_yet(capsys: pytest.CaptureFixture[str]) -> None:
    def softmax(x):
        raise NotImplementedError("write softmax")

    result = check("softmax", namespace={"softmax": softmax})
    assert capsys.readouterr().out.strip() == "✗ softmax: not implemented yet"
    assert not result.passed and result.score == 0


@pytest.mark.parametrize(
    "body",
    [
        lambda x: 1 / 0,
        lambda x: exit(),
        lambda x: x.no_such_attribute,
        lambda x: None,
    ],
)
def test_never_raises(body, capsys: pytest.CaptureFixture[str]) -> None:
    result = check("softmax", namespace={"softmax": body})
    assert not result.passed
    assert "✗" in capsys.readouterr().out


def test_mutation_and_reference_use(capsys: pytest.CaptureFixture[str]) -> None:
    def shifting(x):
        x -= x.max(axis=-1, keepdims=True)
        return _good_softmax(x)

    result = check("softmax", namespace={"softmax": shifting})
    assert not result.passed and "in place" in capsys.readouterr().out

    def cheating(x):
        return ce_course.softmax(x)

    result = check("softmax", namespace={"softmax": cheating})
    out = capsys.readouterr().out
    assert result.score == 0 and "reference implementation" in out


def test_missing_and_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    result = check("softmax", namespace={})
    assert not result.passed and "run the cell that defines it" in capsys.readouterr().out
    result = check("softmax", namespace={"softmax": 3})
    assert "not a function" in capsys.readouterr().out
    result = check("sigmoid", namespace={"sigmoid": _good_softmax})
    assert not result.passed and "no exercise grades" in capsys.readouterr().out


def test_a_whole_exercise_and_a_function_object(capsys: pytest.CaptureFixture[str]) -> None:
    def logsumexp(x):
        m = np.max(x, axis=-1, keepdims=True)
        return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]

    def log_softmax(x):
        return x - logsumexp(x)[..., None]

    result = check("03_stability", namespace={"logsumexp": logsumexp, "log_softmax": log_softmax})
    ex = get_exercise("03")
    assert result.passed and result.max_score == sum(
        c.points for q in ex.questions for c in q.public_cases()
    )
    capsys.readouterr()
    assert check(logsumexp).passed


def test_does_nothing_inside_the_grader(monkeypatch, capsys) -> None:
    monkeypatch.setattr(check_module, "_UNDER_GRADER", True)
    result = check("softmax", namespace={"softmax": _good_softmax})
    assert result.skipped and capsys.readouterr().out == ""
