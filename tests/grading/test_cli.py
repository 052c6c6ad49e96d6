"""``ce-course grade`` end to end, the report formats, hidden tests, and the worker's limits."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from grading_support import SUBMISSIONS

from ce_course.cli import main
from ce_course.grading.exercises import get_exercise
from ce_course.grading.grader import grade_submission
from ce_course.grading.hidden import HiddenTestsError, load_hidden_tests
from ce_course.grading.runner import run_submission

GOOD = SUBMISSIONS / "good" / "02_softmax.py"
WRONG = SUBMISSIONS / "wrong" / "02_softmax__naive.py"
FAST = ["--timeout", "5", "--load-timeout", "20"]

HIDDEN = """
import numpy as np
from ce_course.grading import Case

EXERCISE = "02_softmax"
CASES = [
    Case("softmax", "a wide batch of huge logits", args=(np.full((2, 50), 5000.0),), points=3),
    Case("softmax", "given expected value", args=(np.zeros(2),), expected=np.array([0.5, 0.5])),
]
"""


@pytest.fixture(scope="module")
def hidden_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hidden")
    (d / "extra_02.py").write_text(HIDDEN, encoding="utf-8")
    (d / "_helper.py").write_text("raise RuntimeError('skipped: starts with _')", encoding="utf-8")
    return d


def test_text_csv_json_and_gradescope(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = grade_submission(str(WRONG), timeout=4)
    top = f"{report.max_score:g}"
    q0 = report.questions[0]
    q_top, q_got = f"{q0.max_score:g}", f"{q0.score:g}"
    counts = f"{sum(c.passed for c in q0.cases)}/{len(q0.cases)} cases, {q_got}/{q_top} points"
    assert 0 < report.score < report.max_score == get_exercise("02").max_score
    assert main(["grade", str(GOOD), str(WRONG), *FAST]) == 0
    text = capsys.readouterr().out
    assert f"02_softmax.py  [02_softmax]  {top}/{top}  (graded)" in text
    assert f"softmax: {counts} (partial)" in text
    assert "without subtracting the maximum" in text
    assert "2 submissions (2 graded); mean score" in text

    out = tmp_path / "grades" / "g.csv"
    assert main(["grade", str(GOOD), str(WRONG), "--format", "csv", "-o", str(out), *FAST]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["softmax"] for r in rows] == [q_top, q_got]
    assert rows[0].keys() >= {"submission", "exercise", "status", "total", "max", "message"}
    message = [line for line in rows[1]["message"].splitlines() if line.startswith("softmax: ")]
    assert message[0] == f"softmax: {counts} (partial)"
    assert message[1:] == [f"softmax: {line}" for line in q0.feedback]
    assert any("subtracting the maximum" in line for line in message)

    capsys.readouterr()
    assert main(["grade", str(WRONG), "--format", "json", *FAST]) == 0
    doc = json.loads(capsys.readouterr().out)
    q = doc["submissions"][0]["questions"][0]
    assert q["function"] == "softmax" and q["score"] == q0.score
    assert len(q["cases"]) == len(q0.cases)
    assert doc["exercises"]["02_softmax"]["max_score"] == report.max_score

    out = tmp_path / "results.json"
    assert main(["grade", str(WRONG), "--format", "gradescope", "-o", str(out), *FAST]) == 0
    gs = json.loads(out.read_text(encoding="utf-8"))
    assert gs["score"] == report.score and isinstance(gs["output"], str)
    test, derivation = gs["tests"]
    assert derivation["name"].startswith("temperature_ratio") and derivation["score"] == 0
    assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
    assert test["max_score"] == q0.max_score and test["visibility"] == "visible"
    hidden = [c for c in get_exercise("02").questions[0].cases if c.hidden and "large" in c.tags]
    for value in hidden[0].args[0].ravel():  # hidden inputs are not shown
        assert f"{value:.4g}" not in test["output"]


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(tmp_path / "nope.py")]) == 2
    assert main(["grade", str(tmp_path)]) == 2
    assert main(["grade", str(GOOD), str(WRONG), "--format", "gradescope"]) == 2
    assert main(["grade", str(GOOD), "--exercise", "42"]) == 2
    with pytest.raises(SystemExit):
        main(["grade", str(GOOD), "--timeout", "-1"])
    capsys.readouterr()


def test_exercise_option_and_unknown_exercise(tmp_path: Path, capsys) -> None:
    anonymous = tmp_path / "submission.py"
    shutil.copy(GOOD, anonymous)
    assert main(["grade", str(anonymous), *FAST]) == 1
    assert "cannot tell which exercise" in capsys.readouterr().out
    assert main(["grade", str(anonymous), "--exercise", "02_softmax", *FAST]) == 0
    top = f"{get_exercise('02').max_score:g}"
    assert f"{top}/{top}" in capsys.readouterr().out


def test_hidden_tests(hidden_dir: Path, tmp_path: Path, capsys) -> None:
    extra = load_hidden_tests(str(hidden_dir))
    assert [c.label for c in extra["02_softmax"]] == [
        "a wide batch of huge logits",
        "given expected value",
    ]
    assert main(["grade", str(GOOD), str(WRONG), "--hidden-tests", str(hidden_dir), *FAST]) == 0
    text = capsys.readouterr().out
    top = get_exercise("02").max_score
    assert f"[02_softmax]  {top:g}/{top:g} " not in text
    assert f"[02_softmax]  {top + 4:g}/{top + 4:g} " in text  # + 3 + 1 points
    assert "5000" not in text
    args = [str(WRONG), "--hidden-tests", str(hidden_dir), "--format", "json", *FAST]
    assert main(["grade", *args]) == 0
    cases = json.loads(capsys.readouterr().out)["submissions"][0]["questions"][0]["cases"]
    huge = next(c for c in cases if c["label"] == "a wide batch of huge logits")
    assert huge["hidden"] and not huge["passed"] and "maximum" in huge["feedback"]

    snoop = tmp_path / "02_snoop.py"
    snoop.write_text(
        f"import numpy as np\nSRC = open({str(hidden_dir / 'extra_02.py')!r}).read()\n"
        "def softmax(x):\n    return np.ones_like(x)\n",
        encoding="utf-8",
    )
    assert main(["grade", str(snoop), "--hidden-tests", str(hidden_dir), *FAST]) == 0
    assert "reading" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("CASES = []", "no EXERCISE"),
        ("EXERCISE = '42'", "unknown exercise"),
        ("EXERCISE = '02'\nCASES = [1]", "list of ce_course.grading.Case"),
        (
            "from ce_course.grading import Case\nEXERCISE = '02'\n"
            "CASES = [Case('sigmoid', 'x', args=(1,))]",
            "no graded function 'sigmoid'",
        ),
        (
            "from ce_course.grading import Case\nEXERCISE = '02'\n"
            "CASES = [Case('softmax', 'bad', args=('text',))]",
            "reference fails",
        ),
        ("1 / 0", "ZeroDivisionError"),
    ],
)
def test_bad_hidden_tests(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "t.py").write_text(text, encoding="utf-8")
    with pytest.raises(HiddenTestsError, match=match):
        load_hidden_tests(str(tmp_path))
    assert main(["grade", str(GOOD), "--hidden-tests", str(tmp_path)]) == 2


def test_worker_limits_and_check_inside_the_worker() -> None:
    chunks = [
        {
            "label": "code cell 1",
            "filename": "<code cell 1>",
            "source": (
                "import os, sys, tempfile\n"
                "from ce_course.grading import check\n"
                "print('skipped:', check('softmax').skipped)\n"
                "print('cwd is scratch:', os.getcwd() == tempfile.gettempdir())\n"
                "print('stdin:', repr(sys.stdin.read()))\n"
                "import resource\n"
                "print('as:', resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)\n"
                "print('core:', resource.getrlimit(resource.RLIMIT_CORE)[0])\n"
                "open('scratch.txt', 'w').write('allowed')\n"
            ),
        }
    ]
    questions = [{"function": "softmax", "forbidden": [], "cases": []}]
    run = run_submission(chunks, "notebook", questions, timeout=5, load_timeout=20, memory_mb=900)
    assert run.load_errors == []
    assert "skipped: True" in run.output
    assert "cwd is scratch: True" in run.output
    assert "stdin: ''" in run.output
    assert "as: 900" in run.output and "core: 0" in run.output


def test_seed_and_summary(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    good = SUBMISSIONS / "good" / "05_cross_entropy.py"
    wrong = SUBMISSIONS / "wrong" / "05_cross_entropy__sum.py"
    monkeypatch.delenv("CE_COURSE_SEED", raising=False)
    assert main(["grade", str(good), str(wrong), "--summary", *FAST]) == 0
    out = capsys.readouterr().out
    assert "hidden cases were drawn with the default seed" in out
    assert "05_cross_entropy cross_entropy: 2 learner(s), 1 with full marks" in out
    assert "mistake sum-not-mean: 1/2" in out
    assert "kind large: passed by" in out
    assert main(["grade", str(good), "--seed", "s3cret", "--format", "json", *FAST]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["hidden_seed_note"] is None
    assert doc["submissions"][0]["hidden_seed"] == "instructor"
    assert doc["submissions"][0]["score"] == doc["submissions"][0]["max_score"]
    monkeypatch.setenv("CE_COURSE_SEED", "another")
    assert grade_submission(str(good), timeout=4).hidden_seed == "instructor"
