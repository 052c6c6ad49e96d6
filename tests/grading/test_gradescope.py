"""The Gradescope package: the zip, and ``run_autograder`` on a root laid out as Gradescope does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from grading_support import SUBMISSIONS

from ce_course.cli import main
from ce_course.grading.exercises import get_exercise
from ce_course.grading.gradescope import VISIBILITIES, results_json
from ce_course.grading.sandbox import sandbox_status

_MODE = "required" if sandbox_status()[0] else "auto"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    args = ["gradescope", "02", "--output", str(out), "--sandbox", _MODE]
    assert main(args) == 0
    return out


def _root(tmp: Path, package: Path, submission: Path | None) -> Path:
    root = tmp / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    if submission is not None:
        shutil.copyfile(submission, root / "submission" / submission.name)
    return root


def _run(root: Path) -> dict:
    script = root / "source" / "run_autograder"
    env = {**os.environ, "CE_COURSE_AUTOGRADER_ROOT": str(root), "CE_COURSE_PYTHON": sys.executable}
    subprocess.run(["bash", str(script)], env=env, check=True, timeout=120, cwd=root)
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_zip_layout(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "ce_course_autograder.json"} <= names
        wheels = [n for n in names if n.endswith(".whl")]
        assert len(wheels) == 1 and wheels[0].startswith("ce_course-")
        setup = zf.read("setup.sh").decode()
        assert "apt-get install" in setup and "bubblewrap" in setup and wheels[0] in setup
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        config = json.loads(zf.read("ce_course_autograder.json"))
        assert config == {
            "exercise": "02_softmax",
            "hidden_visibility": "after_published",
            "sandbox": _MODE,
        }
        with zf.open(wheels[0]) as wh, zipfile.ZipFile(wh) as wheel:
            files = wheel.namelist()
        assert "ce_course/grading/_boot.py" in files and "ce_course/softmax.py" in files
        assert not any(f.startswith("exercises/") for f in files)


def test_run_autograder_on_a_gradescope_root(tmp_path: Path, package: Path) -> None:
    good = _run(_root(tmp_path / "good", package, SUBMISSIONS / "good" / "02_softmax.py"))
    full = get_exercise("02_softmax").max_score
    assert good["score"] == full and good["output_format"] == "md"
    assert isinstance(good["execution_time"], float) and "02_softmax" in good["output"]
    assert sum(t["max_score"] for t in good["tests"]) == full
    assert all(t["status"] == "passed" for t in good["tests"])
    for t in good["tests"]:
        assert set(t) == {
            "name",
            "number",
            "score",
            "max_score",
            "status",
            "output",
            "visibility",
            "tags",
        }
        assert t["visibility"] in VISIBILITIES
    hidden = [t for t in good["tests"] if "hidden" in t["tags"]]
    public = [t for t in good["tests"] if "public" in t["tags"]]
    assert hidden and public
    assert {t["visibility"] for t in hidden} == {"after_published"}
    assert {t["visibility"] for t in public} == {"visible"}
    numbers = [t["number"] for t in good["tests"]]
    assert len(set(numbers)) == len(numbers)

    wrong = _run(_root(tmp_path / "wrong", package, SUBMISSIONS / "wrong" / "02_softmax__naive.py"))
    assert 0 < wrong["score"] < full
    failed = [t for t in wrong["tests"] if t["status"] == "failed"]
    assert failed and all(t["score"] < t["max_score"] for t in failed)
    assert any("maximum" in t["output"] for t in failed)

    empty = _run(_root(tmp_path / "empty", package, None))
    assert empty["score"] == 0 and "No `.ipynb`" in empty["output"]


def test_results_json_rejects_unknown_visibility() -> None:
    from ce_course.grading.grader import SubmissionReport

    with pytest.raises(ValueError, match="hidden_visibility"):
        results_json(SubmissionReport("x.py", "02_softmax", "graded"), hidden_visibility="soon")
