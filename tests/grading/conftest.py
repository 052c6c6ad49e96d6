"""Fixtures of the grader's tests: one graded batch shared by the whole session.

The submissions under ``submissions/`` are learner code (some of it hostile): pytest must never
import them, hence ``collect_ignore_glob``. They are graded once, together and in parallel, by
:func:`graded`; the tests then read the reports. Malformed files (a syntax error, broken notebook
JSON) are written at run time so that the linters never see them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from grading_support import (
    LOAD_TIMEOUT,
    MEMORY_MB,
    SOURCE_NOTEBOOKS,
    TIMEOUT,
    Batch,
    expectation,
    files,
    write_malformed,
)

from ce_course.grading.assign import assign, strip_solutions
from ce_course.grading.grader import grade_paths

collect_ignore_glob = ["submissions/*"]


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide scratch directory."""
    return tmp_path_factory.mktemp("grading")


@pytest.fixture(scope="session")
def stubs(workdir: Path) -> list[Path]:
    """Learner stubs derived from the reference solutions by :func:`strip_solutions`."""
    out = []
    for path in files("good"):
        text, regions = strip_solutions(path.read_text(encoding="utf-8"), where=str(path))
        assert regions >= 1, f"{path} has no ### BEGIN SOLUTION region"
        stub = workdir / "stubs" / path.name
        stub.parent.mkdir(exist_ok=True)
        stub.write_text(text, encoding="utf-8")
        out.append(stub)
    return out


@pytest.fixture(scope="session")
def notebooks(workdir: Path) -> dict[str, list[Path]]:
    """The instructor notebooks and their generated learner versions (if the sources exist)."""
    if not SOURCE_NOTEBOOKS.is_dir() or not list(SOURCE_NOTEBOOKS.glob("*.ipynb")):
        return {"source": [], "learner": []}
    source = workdir / "nb_source"
    shutil.copytree(SOURCE_NOTEBOOKS, source)
    learner = workdir / "nb_learner"
    assign(str(source), str(learner))
    return {
        "source": sorted(source.glob("*.ipynb")),
        "learner": sorted(learner.glob("*.ipynb")),
    }


@pytest.fixture(scope="session")
def graded(workdir: Path, stubs: list[Path], notebooks: dict[str, list[Path]]) -> Batch:
    """Every submission of the suite graded in ONE batch: good, hostile and broken mixed."""
    malformed = write_malformed(workdir / "malformed")
    hostile = [p for p in files("hostile") if not expectation(p).get("own_batch")]
    paths = {"hostile": [str(p) for p in hostile]}  # the slowest first
    paths["source_notebooks"] = [str(p) for p in notebooks["source"]]
    paths["learner_notebooks"] = [str(p) for p in notebooks["learner"]]
    for kind in ("good", "alternative", "wrong"):
        paths[kind] = [str(p) for p in files(kind)]
    paths["stubs"] = [str(p) for p in stubs]
    paths["malformed"] = list(malformed)
    everything = [p for group in paths.values() for p in group]
    reports = grade_paths(
        everything,
        timeout=TIMEOUT,
        load_timeout=LOAD_TIMEOUT,
        memory_mb=MEMORY_MB,
        jobs=3,
        progress=False,
    )
    return Batch(reports, paths, malformed)
