"""Helpers shared by the grader's tests (imported by ``conftest.py`` and the test modules)."""

from __future__ import annotations

import ast
from pathlib import Path

from ce_course.grading.grader import SubmissionReport

HERE = Path(__file__).parent
SUBMISSIONS = HERE / "submissions"
ROOT = HERE.parent.parent
SOURCE_NOTEBOOKS = ROOT / "exercises" / "source"

# Short limits keep the suite fast; the good submissions need a fraction of them on a loaded machine.
TIMEOUT = 8.0  # exercise 10 has a case with 2**18 classes: about 1 s per question alone
LOAD_TIMEOUT = 30.0  # the instructor notebooks train a network at the top level
MEMORY_MB = 768


def expectation(path: Path) -> dict:
    """The ``EXPECT = {...}`` literal at the top of a submission file (never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "EXPECT"
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} declares no EXPECT")


def files(kind: str) -> list[Path]:
    """The submission files of one kind (``good``, ``alternative``, ``wrong``, ``hostile``)."""
    return sorted((SUBMISSIONS / kind).glob("*.py"))


def write_malformed(directory: Path) -> dict[str, dict]:
    """Broken submissions written at run time, with their expectations."""
    directory.mkdir(parents=True, exist_ok=True)
    made = {
        "02_softmax__syntax_error.py": (
            "def softmax(x)\n    return x\n",
            {"status": "load_error", "lose": {"softmax": "syntax error"}},
        ),
        "02_softmax__malformed.ipynb": (
            '{"cells": [{"cell_type": "code", "source": "def softmax(x):\\n',
            {"status": "load_error", "lose": {"softmax": "could not be read"}},
        ),
        "02_softmax__not_a_notebook.ipynb": (
            '["just", "a", "list"]\n',
            {"status": "load_error", "lose": {"softmax": "could not be read"}},
        ),
        "02_softmax__cell_syntax_error.ipynb": (
            '{"cells": [{"cell_type": "code", "metadata": {}, "source": ["def softmax(x)\\n", '
            '"    return x"], "outputs": [], "execution_count": null}], "metadata": {}, '
            '"nbformat": 4, "nbformat_minor": 5}',
            {"status": "graded", "lose": {"softmax": "SyntaxError"}},
        ),
    }
    out = {}
    for name, (text, expect) in made.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        out[str(path)] = expect
    return out


class Batch:
    """Reports of the session's batch, by path, and where each kind of submission lives."""

    def __init__(self, reports: list[SubmissionReport], paths: dict[str, list[str]], extra: dict):
        self.by_path = {r.path: r for r in reports}
        self.paths = paths
        self.malformed = extra

    def __getitem__(self, path: str | Path) -> SubmissionReport:
        return self.by_path[str(path)]
