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

    answers = {  # the exercise's derivation questions (issue 11)
        "answer_logsumexp_grad": "p_i",
        "answer_log_softmax_grad": "delta(i,j) - p_j",
    }
    result = check(
        "03_stability", namespace={"logsumexp": logsumexp, "log_softmax": log_softmax, **answers}
    )
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


def test_check_names_a_forgotten_X_T(capsys: pytest.CaptureFixture[str]) -> None:
    def linear_softmax_loss(W, X, y, reg):
        N = X.shape[0]
        s = X @ W
        e = np.exp(s - s.max(axis=1, keepdims=True))
        P = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(P[np.arange(N), y])) + reg * np.sum(W * W)
        P[np.arange(N), y] -= 1
        return loss, P / N

    result = check("linear_softmax_loss", namespace={"linear_softmax_loss": linear_softmax_loss})
    out = capsys.readouterr().out
    assert not result.passed
    assert "forgets the input X" in out and "keepdims" not in out
    assert any("forgets the input X" in d for d in result.diagnoses)
    assert out.count("forgets the input X: by the chain rule") >= 1
    for line in out.splitlines():  # a ✓ never sits next to lost points
        if "✓" in line:
            points = line.rsplit(": ", 1)[1].split()[0]
            got, top = points.split("/")
            assert got == top, line


def test_check_reports_loops_dict_keys_and_the_reference(capsys) -> None:
    def two_layer_loss(params, X, y=None, reg=0.0):
        params["scores"] = None  # adds a key to the caller's dict
        return ce_course.two_layer_loss({k: params[k] for k in ("W1", "b1", "W2", "b2")}, X, y, reg)

    result = check("two_layer_loss", namespace={"two_layer_loss": two_layer_loss})
    out = capsys.readouterr().out
    assert result.reference_used and result.score == 0
    assert "reference used: 0 points" in out and "✓" not in out
    assert any("adds or removes keys in the caller's dict params" in m for m in result.messages)
    assert not any("in place (e.g." in m for m in result.messages)

    def cross_entropy(logits, y):
        y = np.asarray(y)
        if np.any((y < 0) | (y >= logits.shape[1])):
            raise ValueError("cross_entropy: bad label")
        total = 0.0
        for i in range(logits.shape[0]):
            row = logits[i] - logits[i].max()
            total += np.log(np.exp(row).sum()) - row[y[i]]
        return total / logits.shape[0]

    result = check("cross_entropy", namespace={"cross_entropy": cross_entropy})
    out = capsys.readouterr().out
    assert all(c.passed for c in result.cases) and not result.passed
    assert "loops over the examples" in out and "the grader takes 2 point(s)" in out
