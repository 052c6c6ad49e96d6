"""Held-out hostile learners: new attacks, graded in one batch with correct submissions.

The submissions are the files under ``submissions/hostile_heldout/`` (not the attacks of
``test_attacks.py``) plus a few written at run time because they are symbolic links, have hostile
file names or are large. They are graded by the throwaway install of ``test_attacks.py`` with
canary secrets planted in a ``--hidden-tests`` directory (and in a hidden case's input values), a
copy of ``exercises/source``, a sibling submission's source and an environment variable of the
grader. The done-when properties of issue 7 are then checked: every correct submission keeps full
marks, no hostile one earns a point, every submission has its row, the grader keeps its
deadlines, no canary appears in any report, nothing outside the scratch area changed, and no
process is left. A second, smaller batch runs with ``--sandbox auto`` on a machine where bwrap
cannot be found (the process-isolation fallback) and checks what that mode promises: scores and
hidden inputs.

Bounded: at most 80 extra processes (the fork attack), each exiting within 40 s, at most 300 MB
written to a tmpfs, no network but loopback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from grading_support import ROOT, SUBMISSIONS
from test_attacks import _processes_of, _snapshot, throwaway  # noqa: F401  (a fixture)

from ce_course.grading.sandbox import sandbox_status

CANARY = "CANARY-b41d07-heldout"
HIDDEN_VALUE = 4242.125  # the inputs of a hidden case: never in a report
HELDOUT = SUBMISSIONS / "hostile_heldout"
GOOD = SUBMISSIONS / "good"

_OK, _WHY = sandbox_status()
if not _OK and os.environ.get("CE_REQUIRE_SANDBOX") == "1":
    raise RuntimeError(f"CE_REQUIRE_SANDBOX=1 but the sandbox is unavailable: {_WHY}")
needs_sandbox = pytest.mark.skipif(not _OK, reason=f"bubblewrap sandbox unavailable: {_WHY}")

_DRIVER = (
    "import resource, sys\n"
    "from ce_course.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('MAXRSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
_RSS: list[int] = []  # the peak memory of each grading run, KiB


def _grade(venv: Path, *args: str, path: str = "/usr/bin:/bin") -> int:
    """Run ``ce-course`` of the throwaway install; the grader's pid (to find what it left)."""
    env = {
        "PATH": path,
        "OPENBLAS_NUM_THREADS": "1",
        "HOME": str(venv.parent),
        "CE_HELDOUT_SECRET": CANARY,
    }
    with subprocess.Popen(
        [str(venv / "bin" / "python"), "-I", "-B", "-c", _DRIVER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        out, err = proc.communicate(timeout=300)
    # exit status 1: some submission is an "error" row (a link, unknown metadata); still graded
    assert proc.returncode in (0, 1), out[-3000:] + err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    _RSS.extend(int(line.split()[1]) for line in err.splitlines() if line.startswith("MAXRSS"))
    return proc.pid


def _left_by(grader_pid: int) -> list[str]:
    """Live processes in the per-submission cgroups of the grader ``grader_pid``."""
    out = []
    for d in os.listdir("/proc"):
        try:
            with open(f"/proc/{d}/cgroup", encoding="utf-8") as fh:
                if f"/ce-course-{grader_pid}-" in fh.read():
                    out.append(d)
        except OSError:
            continue
    return out


def _hidden_dir(tmp: Path) -> Path:
    hidden = tmp / f"hidden-{CANARY}"
    hidden.mkdir()
    (hidden / "extra_02.py").write_text(
        "import numpy as np\nfrom ce_course.grading import Case\n"
        f"# {CANARY}\nEXERCISE = '02_softmax'\n"
        "CASES = [Case('softmax', 'equal large logits', "
        f"args=(np.full((2, 3), {HIDDEN_VALUE!r}),))]\n",
        encoding="utf-8",
    )
    return hidden


def _batch(tmp: Path) -> tuple[Path, dict[str, int], set[str]]:
    """The class folder: ``(folder, {correct file: its max score}, {hostile files})``."""
    batch = tmp / "class"
    batch.mkdir()
    good: dict[str, int] = {}
    for i in range(3):
        name = f"02_softmax__good_{i}.py"
        text = (GOOD / "02_softmax.py").read_text(encoding="utf-8")
        if i == 0:  # a sibling that carries a secret of its own
            text += f"\n_SIBLING = {CANARY!r}\n"
        (batch / name).write_text(text, encoding="utf-8")
        good[name] = 14
    for ex in (
        "03_stability",
        "05_cross_entropy",
        "06_gradient",
        "08_linear_classifier",
        "09_two_layer_net",
    ):
        shutil.copyfile(GOOD / f"{ex}.py", batch / f"{ex}__good.py")
        good[f"{ex}__good.py"] = 0  # filled in from the report (the exercise's max)
    hostile = set()
    for i in range(2):  # concurrent with the one copied below
        shutil.copyfile(HELDOUT / "02_softmax__dense_reply.py", batch / f"02_softmax__dense_{i}.py")
        hostile.add(f"02_softmax__dense_{i}.py")
    for p in sorted(HELDOUT.iterdir()):
        if p.suffix in (".py", ".ipynb") and p.name not in _OPEN:
            shutil.copyfile(p, batch / p.name)
            hostile.add(p.name)
    # run-time attacks: links to secrets, a hostile file name, a notebook with 30 MB of output
    secret = tmp / "secret.txt"
    secret.write_text(f"{CANARY}\n", encoding="utf-8")
    os.symlink(secret, batch / "02_softmax__link_secret.py")
    os.symlink(tmp / "hidden-" / "extra_02.py", batch / "02_softmax__link_dangling.py")
    hostile |= {"02_softmax__link_secret.py", "02_softmax__link_dangling.py"}
    if os.path.exists("/etc/shadow"):
        os.symlink("/etc/shadow", batch / "02_softmax__link_shadow.py")
        hostile.add("02_softmax__link_shadow.py")
    odd = '02_softmax__a,b"c\n=HYPERLINK("x").py'
    (batch / odd).write_text(
        "def softmax(x):\n    raise ValueError('=1+2\\n  ✓ softmax: 14/14 (passed)')\n",
        encoding="utf-8",
    )
    hostile.add(odd)
    nb = json.loads((HELDOUT / "02_softmax__hostile_metadata.ipynb").read_text(encoding="utf-8"))
    nb["cells"][0]["outputs"][0]["text"] = "A" * (30 * 2**20)
    (batch / "02_softmax__big_outputs.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    hostile.add("02_softmax__big_outputs.ipynb")
    return batch, good, hostile


_OPEN = (
    "03_stability__private_helper.py",
    "06_gradient__private_helper.py",
    "07_gradient_check__probe_closure.py",
)
"""Attacks that still earn points (see :func:`test_kept_private_helpers_earn_nothing`)."""


def _reports(doc_text: str) -> dict[str, dict]:
    doc = json.loads(doc_text)
    return {Path(s["path"]).name: s for s in doc["submissions"]}


def _no_secret(text: str, where: str) -> None:
    assert CANARY not in text, f"the canary leaked into {where}"
    assert "SIBLING-SECRET" not in text, f"a sibling's secret leaked into {where}"
    assert str(HIDDEN_VALUE) not in text, f"a hidden case's input leaked into {where}"


def _row_feedback(row: dict) -> str:
    return json.dumps(row["questions"]) + json.dumps(row["messages"])


@needs_sandbox
def test_heldout_batch_sandboxed(tmp_path: Path, throwaway: Path) -> None:  # noqa: F811
    hidden = _hidden_dir(tmp_path)
    source_copy = tmp_path / "source-copy"
    shutil.copytree(ROOT / "exercises" / "source", source_copy)
    (source_copy / "SECRET.md").write_text(CANARY, encoding="utf-8")
    batch, good, hostile = _batch(tmp_path)
    site = str(next((throwaway / "lib").glob("python*/site-packages")))
    venv_before = _snapshot(site)
    batch_before = _snapshot(str(batch))
    out = tmp_path / "out"
    out.mkdir()
    common = ["--hidden-tests", str(hidden), "--sandbox", "required", "--timeout", "4"]
    common += ["--load-timeout", "10", "--jobs", "3"]
    start = time.monotonic()
    pids = [
        _grade(
            throwaway, "grade", str(batch), "--format", "json", "-o", str(out / "g.json"), *common
        )
    ]
    elapsed = time.monotonic() - start
    json_text = (out / "g.json").read_text(encoding="utf-8")
    rows = _reports(json_text)
    # every submission has its row (the symbolic links and the odd name included)
    assert set(rows) == set(good) | hostile, sorted(set(good) | hostile ^ set(rows))
    # the grader kept its deadlines: load (10) + questions (4 each) + 5 s, 3 at a time
    assert elapsed < 150, elapsed
    for row in rows.values():
        assert row["seconds"] < 10 + 4 * max(1, len(row["questions"])) + 5 + 3, row["path"]
    for name in good:
        row = rows[name]
        assert row["max_score"] > 0 and row["score"] == row["max_score"], (name, row)
        assert row["sandbox"] == "bubblewrap"
    for name in sorted(hostile):
        row = rows[name]
        assert row["score"] == 0, (name, _row_feedback(row)[:3000])
    # no canary in any report format, not even through a hidden case's error
    for fmt in ("text", "csv"):
        _grade(
            throwaway, "grade", str(batch), "--format", fmt, "-o", str(out / f"g.{fmt}"), *common
        )
    text = (out / "g.text").read_text(encoding="utf-8")
    csv_text = (out / "g.csv").read_text(encoding="utf-8")
    for where, body in (("json", json_text), ("text", text), ("csv", csv_text)):
        _no_secret(body, where)
        if os.path.exists("/etc/shadow"):
            assert "root:" not in body, f"/etc/shadow leaked into {where}"
    # the reports cannot be forged: no terminal escapes, no formula cells, no fake score lines
    assert "\x1b" not in text and "\x1b" not in csv_text
    for record in csv.reader(io.StringIO(csv_text)):
        for cell in record:
            assert not cell.startswith(("=", "+", "-", "@")), cell[:80]
    forged = [
        line
        for line in text.splitlines()
        if line.strip().startswith("✓ softmax: ") and line.strip().endswith("(passed)")
    ]
    assert len(forged) == 3, forged
    # nothing outside the scratch area changed; no process is left
    assert _snapshot(site) == venv_before
    assert _snapshot(str(batch)) == batch_before
    time.sleep(1)
    assert _processes_of(str(throwaway)) == []
    assert [p for pid in pids for p in _left_by(pid)] == []
    # the grader's memory stayed bounded, forged replies of millions of values included
    # bounded by design: jobs x (the 24 MiB message cap, decoded) plus the 48 MiB per submission
    assert max(_RSS) < 768 * 1024, _RSS


_FALLBACK = (
    "02_softmax__cross_view.py",
    "05_cross_entropy__cross_view.py",
    "02_softmax__hidden_echo_message.py",
    "02_softmax__hidden_echo_type.py",
    "02_softmax__hidden_echo_metadata.py",
    "02_softmax__injection.py",
    "02_softmax__environ_hunt.py",
)


def test_heldout_batch_fallback(tmp_path: Path, throwaway: Path) -> None:  # noqa: F811
    """``--sandbox auto`` where bwrap is missing: scores and hidden inputs still hold."""
    hidden = _hidden_dir(tmp_path)
    batch = tmp_path / "class"
    batch.mkdir()
    for name in _FALLBACK:
        shutil.copyfile(HELDOUT / name, batch / name)
    for ex in ("02_softmax", "03_stability", "05_cross_entropy", "06_gradient"):
        shutil.copyfile(GOOD / f"{ex}.py", batch / f"{ex}__good.py")
    out = tmp_path / "g.json"
    args = ["grade", str(batch), "--format", "json", "-o", str(out), "--hidden-tests", str(hidden)]
    args += ["--sandbox", "auto", "--timeout", "4", "--load-timeout", "10", "--jobs", "3"]
    _grade(throwaway, *args, path=str(tmp_path / "no-bwrap-here"))
    body = out.read_text(encoding="utf-8")
    rows = _reports(body)
    assert len(rows) == len(_FALLBACK) + 4
    for name, row in rows.items():
        assert "unavailable" in row["sandbox"], row["sandbox"]
        if "__good" in name:
            assert row["score"] == row["max_score"] > 0, (name, row)
        else:
            assert row["score"] == 0, (name, _row_feedback(row)[:3000])
    _no_secret(body, "the fallback's json report")
    time.sleep(1)
    assert _processes_of(str(throwaway)) == []


def _hidden_case_outcome(error: dict) -> str:
    from ce_course.grading.compare import evaluate_case
    from ce_course.grading.exercises import get_exercise

    q = get_exercise("02").question("softmax")
    case = next(c for c in q.cases if c.hidden)
    raw = {"status": "error", "value": None, "error": error}
    return evaluate_case(q, case, q.expected(case), raw).message


def test_hidden_case_errors_show_nothing_the_worker_forged() -> None:
    """Attack: echo a hidden case's inputs in the error's message, class name or source line."""
    leak = "LEAK [[4242.125, 1.5]]"
    forged = [
        {"type": "ValueError", "message": leak, "where": "", "learner_raised": False},
        {"type": leak, "message": "", "where": "line 3 of code cell 2: x", "learner_raised": True},
        {"type": "PermissionError", "message": f"ce-course grader {leak}", "where": ""},
        {"type": "TypeError", "message": "", "where": f"line 3 of {leak}: {leak}"},
        {"type": "TypeError", "message": "", "where": f"line 3 of code cell 2: {leak}"},
    ]
    for error in forged:
        text = _hidden_case_outcome(error)
        assert "4242" not in text and "LEAK" not in text, (error, text)
    honest = {"type": "ValueError", "message": "m", "where": "line 7 of code cell 4: y = 1"}
    assert _hidden_case_outcome(honest) == "raised ValueError (line 7 of code cell 4)"


def test_hidden_case_names_cannot_spell_inputs() -> None:
    """Attack: a hidden case's inputs in the reply's mutated / stub-call / violation names."""
    from ce_course.grading.grader import _ARG_PATH, _hidden_name

    assert _hidden_name("x", "D", _ARG_PATH) == "x"
    assert _hidden_name("params['W1']", "D", _ARG_PATH) == "params['W1']"
    assert _hidden_name("ce_course.softmax", "D") == "ce_course.softmax"
    for leak in ("LEAK [[4242.125]]", "x4242.125", "a b"):
        assert _hidden_name(leak, "D") == "D" == _hidden_name(leak, "D", _ARG_PATH)


def test_symbolic_links_are_never_read(tmp_path: Path) -> None:
    """Attack: a link in the class folder to a secret the grader (not the sandbox) would read."""
    from ce_course.grading.submission import SubmissionError, find_submissions, read_submission

    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY, encoding="utf-8")
    batch = tmp_path / "class"
    batch.mkdir()
    os.symlink(secret, batch / "02_softmax__link.py")
    os.symlink(tmp_path / "missing.py", batch / "02_softmax__dangling.py")
    found = find_submissions([str(batch)])
    assert len(found) == 2  # each gets a row
    for path in found:
        with pytest.raises(SubmissionError, match="symbolic link"):
            read_submission(path)


def test_reports_cannot_be_forged_by_learner_text() -> None:
    """Attack: ANSI escapes, fake report lines, CSV formulas, markdown and HTML in learner text."""
    from ce_course.grading.grader import SubmissionReport
    from ce_course.grading.gradescope import results_json
    from ce_course.grading.report import format_reports

    evil = '=cmd|" /C calc"!A0\n\x1b[2J  ✓ softmax: 14/14 (passed)\r<img src=x onerror=alert(1)>'
    report = SubmissionReport(f"{evil}.py", "02_softmax", "error", messages=[evil])
    text = format_reports([report], "text")
    assert "\x1b" not in text and "\r" not in text
    assert not any(line.strip().startswith("✓") for line in text.splitlines()), text
    rows = list(csv.reader(io.StringIO(format_reports([report], "csv"))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row), rows
    output = results_json(report)["output"]
    assert not re.search(r"(?<!\\)[<>]", output) and "\n  ✓" not in output, output


def _lookup_table_submission(path: Path) -> None:
    """A softmax that knows nothing but the answers of every case in the installed package."""
    import hashlib

    import numpy as np

    from ce_course.grading.exercises import get_exercise

    q = get_exercise("02").question("softmax")
    table = {}
    for case in q.cases:
        a = np.ascontiguousarray(case.args[0], dtype=float)
        key = hashlib.sha256(a.tobytes() + repr(a.shape).encode()).hexdigest()
        table[key] = np.asarray(q.expected(case)).tolist()
    path.write_text(
        "import hashlib\nimport numpy as np\n"
        f"_TABLE = {table!r}\n"
        "def softmax(x):\n"
        "    a = np.ascontiguousarray(x, dtype=float)\n"
        "    k = hashlib.sha256(a.tobytes() + repr(a.shape).encode()).hexdigest()\n"
        "    return np.array(_TABLE[k]) if k in _TABLE else x\n",
        encoding="utf-8",
    )


def test_memorised_hidden_answers_earn_nothing(tmp_path: Path) -> None:
    """Attack: a lookup table of the answers of the cases in the package source.

    The hidden inputs are drawn from the instructor's secret seed (issue 7 item 4): the table,
    built from what the installed package shows (the default seed), matches none of them.
    """
    from ce_course.grading.grader import grade_paths

    sub = tmp_path / "02_softmax__lookup.py"
    _lookup_table_submission(sub)
    (report,) = grade_paths(
        [str(sub)], timeout=4, load_timeout=10, jobs=1, progress=False, seed="a class secret"
    )
    hidden = [c for q in report.questions for c in q.cases if c.hidden]
    assert hidden and sum(c.score for c in hidden) == 0, [(c.label, c.score) for c in hidden]


def test_kept_private_helpers_earn_nothing() -> None:
    """Attack: the reference's private helper, re-labelled so that the profile hook misses it."""
    from ce_course.grading.grader import grade_paths

    names = ("03_stability__private_helper.py", "06_gradient__private_helper.py")
    paths = [str(HELDOUT / name) for name in names]
    reports = grade_paths(paths, timeout=4, load_timeout=10, jobs=2, progress=False)
    assert [r.score for r in reports] == [0, 0], [(r.path, r.score) for r in reports]


def test_probe_closure_earns_nothing() -> None:
    """Attack: the closed-form gradient of the probe family, parameters read from its closure."""
    from ce_course.grading.grader import grade_paths

    path = HELDOUT / "07_gradient_check__probe_closure.py"
    (report,) = grade_paths([str(path)], timeout=4, load_timeout=10, jobs=1, progress=False)
    q = next(q for q in report.questions if q.function == "numerical_gradient")
    assert q.score == 0, [(c.label, c.score) for c in q.cases]


def test_probe_exact_gradient_misses_the_estimate() -> None:
    """Even an attacker who unwraps the probe fully cannot return the exact gradient.

    Every case's probe has a ripple ``s * sum(sin(k x))`` with ``k h = 0.1``: the exact
    derivative of that term alone differs from its central difference by far more than the
    question's tolerance, on the default seed and on other secrets.
    """
    from ce_course.grading.exercises import get_exercise

    q = get_exercise("07").question("numerical_gradient")
    for seed in ("ce-course default hidden seed", "a class secret", "another one"):
        cases = list(q.cases)
        for kind in q.kinds:
            cases += kind.draw(q.function, public_seed=seed, hidden_seed=seed)
        for c in cases:
            f, x = c.args
            h = c.kwargs.get("h", 1e-5)
            s, k = f.params["ripple"]
            x = np.asarray(x, dtype=float)
            gap = np.abs(s * k * np.cos(k * x) * (1 - np.sin(k * h) / (k * h)))
            tol = q.rtol * np.abs(np.asarray(q.expected(c))) + q.atol
            assert (gap / tol).max() > 20, (seed, c.label)


def test_hidden_case_figures_cannot_spell_inputs() -> None:
    """Attack: return ``c * expected`` (or ``expected + c``) so that the feedback prints ``c``."""
    from ce_course.grading.compare import evaluate_case
    from ce_course.grading.exercises import get_exercise

    q = get_exercise("02").question("softmax")
    case = next(c for c in q.cases if c.hidden)
    e = np.asarray(q.expected(case))
    for value in (e * 4242.125, e + 4242.125):
        raw = {"status": "ok", "value": value, "error": None}
        message = evaluate_case(q, case, e, raw).message
        assert "4242" not in message and "4.242" not in message, message


def test_hidden_case_shapes_cannot_spell_inputs() -> None:
    """Attack: a returned shape, length or object that spells a hidden input's digits."""
    from ce_course.grading.compare import evaluate_case
    from ce_course.grading.exercises import get_exercise

    q = get_exercise("02").question("softmax")
    case = next(c for c in q.cases if c.hidden)
    e = np.asarray(q.expected(case))
    for value in (np.zeros((4242, 125)), [0.0] * 4242, (np.zeros(3),) * 425):
        raw = {"status": "ok", "value": value, "error": None}
        message = evaluate_case(q, case, e, raw).message
        assert "4242" not in message and "125" not in message and "425" not in message, message
    honest = evaluate_case(q, case, e, {"status": "ok", "value": e[..., :1], "error": None})
    assert str(e.shape) in honest.message or "shape" in honest.message, honest.message
