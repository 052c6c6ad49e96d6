"""Exercise 10 (cross-entropy at language-model scale): what its cases and mistakes promise.

The batch in ``conftest.graded`` already grades the reference solution, the alternatives and the
wrong submissions ``submissions/*/10_lm_scale*``. These tests check the exercise definition itself:
that the references agree with the textbook path, that the big hidden case really cannot be done
with full logits under the memory limit of the grader's tests while the reference solution stays
far below it, and that the named mistakes of the issue are the ones the feedback gives.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from grading_support import MEMORY_MB, SUBMISSIONS, Batch

import ce_course
from ce_course.grading.exercises import get_exercise

EXERCISE = get_exercise("10_lm_scale")
FORWARD = EXERCISE.question("linear_ce_forward")
BACKWARD = EXERCISE.question("linear_ce_backward")


def _solution() -> dict:
    """The reference solution's two functions, executed from its file (never imported)."""
    namespace: dict = {}
    path = SUBMISSIONS / "good" / "10_lm_scale.py"
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


def _big(question):
    return next(c for c in question.cases if "big" in c.tags)


def test_references_agree_with_the_textbook_path() -> None:
    for case in FORWARD.cases:
        H, W, y, _block = case.args
        if H.shape[0] * W.shape[1] > 1 << 20:
            continue
        loss, lse = FORWARD.expected(case)
        Z = H @ W
        rtol = 1e-5 if H.dtype == np.float32 else 1e-12
        assert np.allclose(lse, ce_course.logsumexp(Z, axis=1), rtol=rtol), case.label
        assert np.isclose(loss, ce_course.cross_entropy(Z, y), rtol=rtol), case.label
        assert lse.dtype == H.dtype
    for case in BACKWARD.cases:
        H, W, y, _lse, _block = case.args
        if H.shape[0] * W.shape[1] > 1 << 20:
            continue
        dH, dW = BACKWARD.expected(case)
        G = ce_course.cross_entropy_grad(H @ W, y)
        tol = {"rtol": 1e-4, "atol": 1e-6} if H.dtype == np.float32 else {"rtol": 1e-10}
        assert np.allclose(dH, G @ W.T, **tol) and np.allclose(dW, H.T @ G, **tol), case.label


def test_cases_cover_uneven_blocks_single_blocks_and_growing_maxima() -> None:
    shapes = [(c.args[1].shape[1], c.args[3]) for c in FORWARD.cases]
    assert any(V % block for V, block in shapes if block < V)  # a narrower last block
    assert any(block >= V for V, block in shapes) and any(block == 1 for _, block in shapes)
    assert [c.label for c in FORWARD.cases] == [c.label for c in BACKWARD.cases]
    assert len(FORWARD.public_cases()) == 3 and all("big" not in c.tags for c in FORWARD.cases[:3])


def test_the_big_case_does_not_fit_as_full_logits_but_fits_in_blocks() -> None:
    """Two (N, V) float64 arrays exceed the tests' limit; the solution needs a few blocks."""
    H, W, y, block = _big(FORWARD).args
    N, V = H.shape[0], W.shape[1]
    assert 2 * N * V * 8 >= MEMORY_MB * 2**20  # plus the worker's own ~100 MiB: no room
    assert H.nbytes + W.nbytes < 16 * 2**20  # the arrays still travel to the worker as data
    solution = _solution()
    tracemalloc.start()
    try:
        _, lse = solution["linear_ce_forward"](H, W, y, block)
        peak_forward = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        _, dW = solution["linear_ce_backward"](H, W, y, lse, block)
        peak_backward = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    full, one_block = N * V * 8, N * block * 8
    assert one_block <= full / 16
    assert peak_forward < 4 * one_block  # a block of logits and its temporaries
    assert peak_backward < dW.nbytes + 4 * one_block
    _, lse_ref = FORWARD.expected(_big(FORWARD))
    assert np.allclose(lse, lse_ref, rtol=1e-12)


@pytest.mark.parametrize(
    ("question", "key", "words"),
    [
        (FORWARD, "no-rescale", "forgets to rescale the running sum"),
        (FORWARD, "wrong-sign", "wrong sign"),
        (FORWARD, "block-max-only", "its own maximum"),
        (BACKWARD, "mean-twice", "divides by N twice"),
        (BACKWARD, "no-mean", "forgets to divide by N"),
        (BACKWARD, "no-targets", "forgets to subtract the targets Y"),
        (BACKWARD, "transpose-dW", "H.T @ G"),
    ],
)
def test_the_issue_s_named_mistakes_are_known(question, key, words) -> None:
    mistake = next(m for m in question.mistakes if m.key == key)
    assert words in mistake.message
    case = question.public_cases()[2]  # the logits grow from block to block
    with np.errstate(all="ignore"):  # the wrong sign overflows: exp(m_new - m) with m = -inf
        wrong = mistake.compute(*case.args) if key != "transpose-dW" else None
    if wrong is not None:
        right = question.expected(case)
        assert any(not np.allclose(w, r) for w, r in zip(wrong, right, strict=True)), key


def test_mistake_models_skip_the_big_case() -> None:
    """The grader runs every mistake on a wrong output's case: the big one would cost seconds."""
    for question in (FORWARD, BACKWARD):
        case = _big(question)
        for mistake in question.mistakes:
            with pytest.raises(ValueError, match="big case"):
                mistake.compute(*case.args)


def test_full_logits_submission_runs_out_of_memory_only_on_the_big_case(graded: Batch) -> None:
    report = graded[SUBMISSIONS / "wrong" / "10_lm_scale__full_logits.py"]
    for q in report.questions:
        lost = [f for f in q.feedback if "ran out of memory" in f]
        assert len(lost) == 1 and "never form an (N, V) array" in lost[0], q.feedback
        big_points = _big(EXERCISE.question(q.function)).points
        assert q.score == q.max_score - big_points
