"""Held-out corpus of learner-style code (issue 8's "done when", measured independently).

``submissions/heldout_wrong`` holds wrong submissions written the ways learners write them
(CS231n loops with a Python-2 shim, vectorized CS231n code, unstable softmax, sign and
normalisation slips, shape and in-place mistakes, two mistakes at once). Each declares a
``HELDOUT`` dict: the graded function, the mistake in plain words, ``named`` (groups of
alternative keywords; every group must appear in the feedback) and ``tags`` (kinds of mistake the
code makes). ``submissions/heldout_good`` holds correct variants.

All are graded in one batch. For the wrong ones the test measures three shares: actual mistakes
named, a wrong diagnosis (a named mistake key of a kind the code does not make), and an all-green
``check()``; it asserts the issue's thresholds (98%, none, 2%) and lists the misses.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from ce_course.grading import check, grade_paths

HERE = Path(__file__).parent / "submissions"
WRONG = sorted((HERE / "heldout_wrong").glob("*.py"))
GOOD = sorted((HERE / "heldout_good").glob("*.py"))

# The kind of mistake each of the grader's mistake keys names (for "wrong diagnosis").
KEY_TAGS = {
    "no-max-shift": "shift",
    "lse-no-shift": "shift",
    "global-max": "shift",
    "log-of-softmax": "logp",
    "zero-log-zero": "logp",
    "sum-not-mean": "mean",
    "no-mean": "mean",
    "per-example": "mean",
    "sign": "sign",
    "half-convention": "regconv",
    "reg-sign": "reg",
    "reg-factor-missing": "reg",
    "precedence": "reg",
    "no-reg-loss": "reg",
    "no-reg-grad": "reg",
    "reg-biases": "reg",
    "no-relu-mask": "relu",
    "relu-mask-no-bias": "relu",
    "relu-mask-from-gradient": "relu",
    "no-b1": "bias",
    "db-wrong-axis": "bias",
    "db-not-summed": "bias",
    "column-index": "index",
    "all-classes": "index",
    "no-targets": "target",
    "no-softmax": "target",
}


def _meta(path: Path) -> dict:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "HELDOUT":
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} declares no HELDOUT")


def _key_tag(key: str) -> str | None:
    if key.startswith(("clipped-", "plus-eps-")):
        return "logp"
    return KEY_TAGS.get(key)


@pytest.fixture(scope="module")
def reports():
    got = grade_paths([str(p) for p in WRONG + GOOD], timeout=8.0, sandbox=False)
    return {Path(r.path).name: r for r in got}


def _question(report, function):
    for q in report.questions:
        if q.function == function:
            return q
    raise AssertionError(f"{report.path}: no question {function}")


def _run_check(path: Path, function: str):
    spec = importlib.util.spec_from_file_location(f"heldout_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return check(function, namespace=vars(module))


def test_corpus_size():
    assert len(WRONG) >= 50 and len(GOOD) >= 12


FUNCTIONS = {
    "02": "softmax",
    "05": "cross_entropy",
    "06": "cross_entropy_grad",
    "08": "linear_softmax_loss",
    "09": "two_layer_loss",
}


def test_correct_variants_keep_full_marks(reports):
    # The code question only: these files leave the derivation answers out.
    lost = [
        f"{p.name}: {q.score}/{q.max_score} {q.feedback}"
        for p in GOOD
        for q in [_question(reports[p.name], FUNCTIONS[p.name[:2]])]
        if reports[p.name].status != "graded" or q.score != q.max_score or q.feedback
    ]
    assert not lost, "\n".join(lost)


def measure(reports, capsys=None):
    named, wrong_diag, green, rows = [], [], [], []
    for path in WRONG:
        meta = _meta(path)
        report = reports[path.name]
        q = _question(report, meta["function"])
        text = " ".join(q.feedback + report.messages).lower()
        missing = [g for g in meta["named"] if not any(k.lower() in text for k in g)]
        if not missing:
            named.append(path.name)
        foreign = [k for k in q.mistakes if _key_tag(k) and _key_tag(k) not in meta["tags"]]
        if foreign:
            wrong_diag.append(path.name)
        result = _run_check(path, meta["function"])
        if result.passed:
            green.append(path.name)
        if missing or foreign or result.passed or q.score >= q.max_score:
            rows.append(
                f"{path.name}: {q.score}/{q.max_score} missing={missing} foreign={foreign} "
                f"green={result.passed} keys={q.mistakes} feedback={q.feedback}"
            )
    return named, wrong_diag, green, rows


def test_wrong_submissions_are_diagnosed(reports, capsys):
    named, wrong_diag, green, rows = measure(reports)
    n = len(WRONG)
    with capsys.disabled():
        print(
            f"\nheldout: named {len(named)}/{n} = {len(named) / n:.1%}, "
            f"wrong diagnosis {len(wrong_diag)}/{n}, all-green check() {len(green)}/{n}"
        )
    lost = [
        p.name
        for p in WRONG
        for q in [_question(reports[p.name], _meta(p)["function"])]
        if q.score >= q.max_score
    ]
    assert not lost, f"wrong submissions with full marks: {lost}"
    assert len(named) >= 0.98 * n and not wrong_diag and len(green) <= 0.02 * n, "\n".join(rows)
