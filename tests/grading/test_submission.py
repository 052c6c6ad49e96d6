"""Reading submissions and naming their exercise (``ce_course.grading.submission``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ce_course.grading.submission import (
    SubmissionError,
    find_submissions,
    read_submission,
    resolve_exercise,
    strip_magics,
)


def notebook(path: Path, cells: list[tuple[str, str]], exercise: str | None = None) -> Path:
    nb = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": src.splitlines(True)}
            | ({"outputs": [], "execution_count": None} if kind == "code" else {})
            for kind, src in cells
        ],
        "metadata": {"ce_course": {"exercise": exercise}} if exercise else {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_strip_magics_keeps_python_and_line_numbers() -> None:
    src = (
        "%matplotlib inline\nx = 1\nif x:\n    !ls\nfiles = !ls -l\nnp.exp?\ny = x != 2\nz = 10 % 3"
    )
    out = strip_magics(src)
    assert out.count("\n") == src.count("\n")
    compile(out, "<cell>", "exec")
    assert "y = x != 2" in out and "z = 10 % 3" in out
    assert "files = None" in out
    timed = strip_magics("%%time\nx = 1")
    assert timed.endswith("x = 1")
    compile(strip_magics("%%bash\nls -l | wc"), "<cell>", "exec")


def test_read_notebook(tmp_path: Path) -> None:
    path = notebook(
        tmp_path / "x.ipynb",
        [("markdown", "# title"), ("code", "%pip install foo\nimport numpy"), ("code", "a = 1")],
        "02_softmax",
    )
    sub = read_submission(str(path))
    assert sub.kind == "notebook" and sub.metadata_exercise == "02_softmax"
    assert [c.label for c in sub.chunks] == ["code cell 1", "code cell 2"]
    assert sub.chunks[0].source.startswith("pass  # %pip")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"worksheets": []}', "nbformat 3"),
        ('{"cells": [1]}', "cell 1 is not a JSON object"),
        ('{"cells": [{"cell_type": "code", "source": 5}]}', "malformed 'source'"),
    ],
)
def test_malformed_notebooks(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "02.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SubmissionError, match=match):
        read_submission(str(path))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="cannot read"):
        read_submission(str(tmp_path / "missing.py"))
    bad = tmp_path / "latin.py"
    bad.write_bytes(b"x = '\xe9'\n")
    with pytest.raises(SubmissionError, match="not UTF-8"):
        read_submission(str(bad))


def test_exercise_resolution_order(tmp_path: Path) -> None:
    meta = read_submission(str(notebook(tmp_path / "05_x.ipynb", [], "02_softmax")))
    assert resolve_exercise(meta) == ("02_softmax", "")
    name, note = resolve_exercise(meta, "07")  # --exercise wins; the mismatch is reported
    assert name == "07_gradient_check" and "mismatch" in note and "02_softmax" in note
    assert resolve_exercise(meta, "numerical_gradient")[0] == "07_gradient_check"
    assert resolve_exercise(meta, "07_gradient_check")[0] == "07_gradient_check"
    by_name = tmp_path / "alice_05_cross_entropy.py"
    by_name.write_text("x = 1\n")
    assert resolve_exercise(read_submission(str(by_name)))[0] == "05_cross_entropy"
    anonymous = tmp_path / "submission.py"
    anonymous.write_text("x = 1\n")
    assert resolve_exercise(read_submission(str(anonymous)), "8")[0] == "08_linear_classifier"
    with pytest.raises(KeyError, match="--exercise NAME"):
        resolve_exercise(read_submission(str(anonymous)))
    unknown = read_submission(str(notebook(tmp_path / "y.ipynb", [], "99_nothing")))
    with pytest.raises(KeyError, match="unknown exercise"):
        resolve_exercise(unknown)


def test_find_submissions(tmp_path: Path) -> None:
    for name in ("b.py", "a.ipynb", ".hidden.py", "__init__.py", "x-checkpoint.ipynb", "n.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    found = find_submissions([str(tmp_path), str(tmp_path / "n.txt")])
    assert [Path(p).name for p in found] == ["a.ipynb", "b.py", "n.txt"]
