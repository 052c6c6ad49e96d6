"""The held-out derivation answers of ``heldout_answers`` through the public grading paths.

Every correct form must be accepted, every wrong one rejected, and at least 95% of the wrong ones
must get the anticipated feedback (the misses are listed). Hostile strings must be refused
quickly, without running anything. The answers go through ``check_derivation``, ``check()`` in a
namespace, and one batch of generated ``.py`` submissions through ``ce-course grade``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ce_course.grading import check, check_derivation
from ce_course.grading.symbolic import DERIVATIONS, get_derivation

sys.path.insert(0, os.path.dirname(__file__))
from heldout_answers import CORRECT, EXTREME, HOSTILE, WRONG

FEEDBACK_SHARE = 0.95


def _expected_text(name: str, key: str) -> str | None:
    """The message of the anticipated mistake ``key`` (None for a failed test such as ``sign``)."""
    for m in get_derivation(name).mistakes:
        if m.key == key:
            return m.message
    return None


def test_every_question_has_a_heldout_set():
    names = {d.name for d in DERIVATIONS}
    assert set(CORRECT) == names and set(WRONG) == names
    for name in names:
        assert len(CORRECT[name]) >= 8, name
        assert len(WRONG[name]) >= 8, name
    assert len(HOSTILE) >= 30


def test_correct_forms_are_accepted():
    rejected = []
    for name, forms in CORRECT.items():
        for answer in forms:
            r = check_derivation(name, answer, show=False)
            if not r.correct or r.credit != 1.0:
                rejected.append(f"{name}: {answer!r} -> {r.status} {r.key}: {r.line}")
    assert not rejected, "\n".join(rejected)


def test_wrong_forms_are_rejected_with_the_anticipated_feedback():
    accepted, misses, total = [], [], 0
    for name, forms in WRONG.items():
        for answer, key in forms:
            total += 1
            r = check_derivation(name, answer, show=False)
            if r.correct or r.credit >= 1.0:
                accepted.append(f"{name}: {answer!r}")
                continue
            text = _expected_text(name, key)
            if r.key != key or (text is not None and r.message != text):
                misses.append(f"{name}: {answer!r} wanted {key}, got {r.key}: {r.line}")
            assert r.latex, f"{name}: {answer!r} parsed but has no LaTeX"
    assert not accepted, "wrong answers accepted:\n" + "\n".join(accepted)
    share = 1 - len(misses) / total
    assert share >= FEEDBACK_SHARE, f"{share:.1%} anticipated feedback; misses:\n" + "\n".join(
        misses
    )


def test_hidden_check_agrees_with_the_public_one():
    """``ce-course grade`` also runs the hidden points: they must not change a verdict here."""
    from ce_course.grading.symbolic import check_answer

    for name, forms in CORRECT.items():
        d = get_derivation(name)
        for answer in forms:
            assert check_answer(d, answer, hidden=True, prove=False).correct, (name, answer)
        for answer, _ in WRONG[name]:
            assert not check_answer(d, answer, hidden=True, prove=False).correct, (name, answer)


def test_check_in_a_namespace(capsys):
    for name in CORRECT:
        d = get_derivation(name)
        for answer in CORRECT[name][:3]:
            res = check(name, namespace={d.variable: answer})
            assert res.passed and res.score == d.points, (name, answer)
        for answer, key in WRONG[name][:3]:
            res = check(name, namespace={d.variable: answer})
            assert not res.passed, (name, answer)
            text = _expected_text(name, key)
            if text is not None:
                assert any(text in c.message for c in res.cases), (name, answer, res.cases)
    out = capsys.readouterr().out
    assert "your answer: $" in out  # the rendered formula is shown next to the verdict


@pytest.mark.parametrize("answer", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_are_refused_quickly(answer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t = time.perf_counter()
    for name in ("jacobian_offdiag", "linear_dW_reg", "relu_backward"):
        r = check_derivation(name, answer, show=False)
        assert r.status == "parse_error" and r.credit == 0.0, (name, answer[:80], r.status)
        assert r.message and len(r.message) < 2000
    assert time.perf_counter() - t < 1.0
    assert not list(tmp_path.iterdir())
    assert not os.path.exists("/tmp/ce_pwned")


@pytest.mark.parametrize("name,answer", EXTREME, ids=range(len(EXTREME)))
def test_extreme_but_valid_answers_are_judged_quickly(name, answer):
    t = time.perf_counter()
    r = check_derivation(name, answer, show=False)
    assert not r.correct
    assert time.perf_counter() - t < 2.0


def test_malformed_answers_point_at_the_column():
    cases = [
        ("jacobian_offdiag", "-p_i*(p_j", 10),
        ("jacobian_offdiag", "-p_i p_j", 6),
        ("jacobian_offdiag", "-p_i*p_j)", 9),
        ("jacobian_offdiag", "-p_i*q_j", 6),
        ("jacobian_offdiag", "-p_i*p_k", 6),
        ("linear_dW", "sum_n(x_{n,c})", 7),
    ]
    for name, answer, col in cases:
        r = check_derivation(name, answer, show=False)
        assert r.status == "parse_error", answer
        assert f"column {col}" in r.message, (answer, r.message)
        lines = r.message.splitlines()
        assert lines[-2].strip() == answer.strip(), r.message
        assert lines[-1].index("^") - lines[-2].index(answer[0]) == col - 1, r.message


def test_rendered_latex():
    cases = [
        ("jacobian_offdiag", "-p_i*p_j", "-p_{i} p_{j}"),
        ("jacobian_delta", "p_i*(delta_ij - p_j)", r"p_{i} \left(\delta_{i j} - p_{j}\right)"),
        ("ce_dp", "-y_j/p_j", r"-\frac{y_{j}}{p_{j}}"),
        ("jacobian_diag", "-p_i^2", r"-{p_{i}}^{2}"),
        ("jacobian_diag", "(-p_i)^2", r"{\left(-p_{i}\right)}^{2}"),
        ("jacobian_offdiag", "p_i - (p_j - p_i)", r"p_{i} - \left(p_{j} - p_{i}\right)"),
        ("linear_db", "sum_n(p_nc - y_nc)/N", r"\frac{\sum_{n} \left(p_{n,c} - y_{n,c}\right)}{N}"),
        ("relu_backward", "g*step(a)", r"g \mathbb{1}\left[a > 0\right]"),
        ("chain_dz_db", "2*0.5*a", r"2 \cdot \frac{1}{2} a"),  # not the mixed number 2½
        ("chain_dz_db", "a*(b/y)", r"a \frac{b}{y}"),
    ]
    for name, answer, latex in cases:
        assert check_derivation(name, answer, show=False).latex == latex, answer


def test_ce_course_grade_batch(tmp_path):
    """One ``ce-course grade`` run: per exercise two correct, two wrong and one hostile file."""
    by_ex: dict[str, list[str]] = {}
    for d in DERIVATIONS:
        by_ex.setdefault(d.exercise, []).append(d.name)
    expect = {}
    for ex, names in by_ex.items():
        for k in range(2):
            for kind in ("c", "w"):
                lines, want = [], {}
                for name in names:
                    if kind == "c":
                        ans = CORRECT[name][-1 - k]
                        want[name] = (ans, None)
                    else:
                        ans, key = WRONG[name][k * 3 % len(WRONG[name])]
                        want[name] = (ans, key)
                    lines.append(f"answer_{name} = {ans!r}")
                path = tmp_path / f"{ex}_{kind}{k}.py"
                path.write_text("\n".join(lines) + "\n")
                expect[path.name] = want
        # and one with hostile strings (a megabyte one, code, null bytes...)
        hostile = {name: HOSTILE[(7 * n + len(ex)) % len(HOSTILE)] for n, name in enumerate(names)}
        hostile[names[0]] = "x" * 1_000_000
        path = tmp_path / f"{ex}_h.py"
        path.write_text("".join(f"answer_{n} = {a!r}\n" for n, a in hostile.items()))
        expect[path.name] = {n: (a, "parse") for n, a in hostile.items()}
    ce = Path(sys.executable).with_name("ce-course")
    t = time.perf_counter()
    proc = subprocess.run(
        [str(ce), "grade", str(tmp_path), "--format", "json", "-j", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    seen = 0
    for sub in doc["submissions"]:
        want = expect[os.path.basename(sub["path"])]
        for q in sub["questions"]:
            if q["function"] not in want:
                continue
            seen += 1
            ans, key = want[q["function"]]
            if key == "parse":
                assert q["score"] == 0.0 and q["status"] == "failed", (ans[:80], q)
                assert len(" ".join(q["feedback"])) < 3000
            elif key is None:
                assert q["status"] == "passed", (q["function"], ans, q["feedback"])
                assert q["score"] == q["max_score"]
            else:
                assert q["status"] != "passed" and q["score"] < q["max_score"], (ans, q)
                text = _expected_text(q["function"], key)
                line = check_derivation(q["function"], ans, show=False).line
                assert any(line in f for f in q["feedback"]), (ans, q["feedback"])
                if text is not None:
                    assert any(text.splitlines()[0] in f for f in q["feedback"]), (ans, q)
    assert seen == 5 * len(DERIVATIONS)
    assert not os.path.exists("/tmp/ce_pwned")
    assert time.perf_counter() - t < 120


def test_feedback_numbers_tell_the_answer_from_the_derivative():
    """A wrong answer close to the derivative is not told "1 times" or "yours x, expected x"."""
    r = check_derivation("jacobian_offdiag", "-p_i*p_j*1.0001", show=False)
    assert r.key == "factor" and "is 1.0001 times" in r.message, r.message
    r = check_derivation("jacobian_offdiag", "-p_i*p_j + 0.0001", show=False)
    assert r.key == "differs", r.message
    yours, expected = r.message.split("yours ")[1].split(", expected ")
    assert yours != expected, r.message


def test_a_tiny_constant_offset_is_not_accepted():
    r = check_derivation("jacobian_offdiag", "-p_i*p_j + 0.0000000001", show=False)
    assert not r.correct and r.key == "constant", r.message
    assert check_derivation("jacobian_offdiag", "-p_i*p_j + 1 - 1", show=False).correct
    assert check_derivation("ce_dz", "p_i - y_i + log(2) - log(2)", show=False).correct


def test_a_tiny_constant_offset_gets_no_hidden_credit_either():
    from ce_course.grading.symbolic.grading import judge, make_question

    q = make_question(get_derivation("jacobian_offdiag"))
    public, hidden = judge(q, "-p_i*p_j + 0.0000000001")
    assert public.key == hidden.key == "constant" and hidden.credit == 0.0
    assert judge(q, "-p_i*p_j")[1].correct


def test_typeset_characters_are_told_what_to_write():
    for name, answer, hint in [
        ("smoothing_grad", "p_i - (1-ε)*y_i - ε/C", "write 'eps'"),
        ("forward_error", "½*h*f2", "write '1/2'"),
        ("central_error", "h³/(6*h)*f3", "write '^3'"),
        ("central_error", "h²/6*f3", "write '^2'"),
        ("ce_dz", "Σ_j(y_j*(p_i - delta(i,j)))", "write 'sum'"),
    ]:
        r = check_derivation(name, answer, show=False)
        assert r.status == "parse_error" and hint in r.message, (answer, r.message)
