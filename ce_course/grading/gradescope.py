"""The Gradescope autograder package: ``ce-course gradescope EXERCISE --output autograder.zip``.

The zip holds what Gradescope's autograder specification asks for, at its root:

``setup.sh``
    installs bubblewrap (``apt-get``) and ce-course from the wheel inside the zip (``pip``);
``run_autograder``
    grades the submission in ``/autograder/submission`` (the first ``.ipynb``, else the first
    ``.py``) and writes ``/autograder/results/results.json``. The root ``/autograder`` can be
    moved with the environment variable ``CE_COURSE_AUTOGRADER_ROOT`` (for tests), the
    interpreter chosen with ``CE_COURSE_PYTHON``;
``ce_course_autograder.json``
    the exercise, the sandbox mode and the visibility of hidden cases;
``ce_course-<version>-py3-none-any.whl``
    the package, built with ``pip wheel --no-deps``.

``results.json`` (see :func:`results_json`): ``score``, ``execution_time``, ``output`` (markdown,
``output_format: "md"``), ``stdout_visibility: "hidden"`` and one test per case of every graded
function, plus one per function for "leaves its inputs unchanged", each with ``name``,
``number``, ``score``, ``max_score``, ``status`` (``passed``/``failed``), ``output``,
``visibility`` (``visible`` for public cases; hidden cases ``after_published`` unless configured
otherwise) and ``tags``.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Any

from .grader import SubmissionReport, grade_submission

__all__ = ["VISIBILITIES", "build_package", "results_json", "run_autograder"]

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
"""Gradescope's visibility values."""

CONFIG_NAME = "ce_course_autograder.json"

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq bubblewrap python3 python3-pip python3-venv >/dev/null
python3 -m venv /opt/ce-course-venv
/opt/ce-course-venv/bin/pip install --quiet /autograder/source/{wheel}
"""

_RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes results/results.json under the root.
set -uo pipefail
ROOT="${CE_COURSE_AUTOGRADER_ROOT:-/autograder}"
PY="${CE_COURSE_PYTHON:-/opt/ce-course-venv/bin/python}"
exec "$PY" -m ce_course.grading.gradescope --root "$ROOT"
"""


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


_MD_TABLE = str.maketrans(
    {**{c: "\\" + c for c in "\\`*_{}[]()<>#+!|~"}, "&": "&amp;", "\n": " ", "\r": " "}
)


def _md(text: str) -> str:
    """A learner-influenced message as inert markdown: no HTML, links, emphasis or new lines."""
    return str(text).translate(_MD_TABLE)


def results_json(report: SubmissionReport, *, hidden_visibility: str = "after_published") -> dict:
    """Gradescope's ``results.json`` for one graded submission.

    Parameters
    ----------
    report : SubmissionReport
    hidden_visibility : str
        Visibility of the tests of hidden cases (one of :data:`VISIBILITIES`).

    Returns
    -------
    dict
    """
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(
            f"results_json: hidden_visibility must be one of {VISIBILITIES}, "
            f"got {hidden_visibility!r}"
        )
    tests: list[dict[str, Any]] = []
    for qi, q in enumerate(report.questions, start=1):
        tags = [q.function, report.exercise or "unknown"]
        remark = "\n".join(f"- {line}" for line in q.feedback[:12])
        for ci, c in enumerate(q.cases, start=1):
            lines = [c.feedback] if c.feedback and not c.passed else []
            if q.status in ("reference_used", "missing", "timeout", "crashed", "not_run"):
                lines.append(f"{q.function}: {q.status.replace('_', ' ')}")
            tests.append(
                {
                    "name": f"{q.function}: {c.label}",
                    "number": f"{qi}.{ci}",
                    "score": c.score,
                    "max_score": c.max_score,
                    "status": "passed" if c.passed and q.status != "reference_used" else "failed",
                    "output": "\n".join(lines),
                    "visibility": hidden_visibility if c.hidden else "visible",
                    "tags": [*tags, "hidden" if c.hidden else "public"],
                }
            )
        case_score = sum(c.score for c in q.cases)
        case_max = sum(c.max_score for c in q.cases)
        rest_max = round(q.max_score - case_max, 6)
        if rest_max > 0:
            rest = round(max(0.0, q.score - case_score), 6)
            tests.append(
                {
                    "name": f"{q.function}: leaves its inputs unchanged",
                    "number": f"{qi}.{len(q.cases) + 1}",
                    "score": rest,
                    "max_score": rest_max,
                    "status": "passed" if rest >= rest_max - 1e-9 else "failed",
                    "output": remark,
                    "visibility": "visible",
                    "tags": tags,
                }
            )
    head = f"**{report.exercise or 'unknown exercise'}**: {_num(report.score)}/"
    head += f"{_num(report.max_score)} ({report.status})"
    lines = [head, *(f"- {_md(m)}" for m in report.messages)]
    if report.sandbox and report.sandbox != "bubblewrap":
        lines.append(f"- {report.sandbox}")
    for q in report.questions:
        lines.append(f"- {q.function}: {_num(q.score)}/{_num(q.max_score)} ({q.status})")
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": "\n".join(lines),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _project_root() -> str:
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.isfile(os.path.join(here, "pyproject.toml")):
        raise FileNotFoundError(
            "build_package: ce-course is not installed from a source checkout (no pyproject.toml "
            f"next to {here}); run it from the repository"
        )
    return here


def build_package(
    exercise: str,
    output: str,
    *,
    hidden_visibility: str = "after_published",
    sandbox: str = "required",
    wheel: str | None = None,
    seed: str | None = None,
) -> str:
    """Write the autograder zip for ``exercise`` to ``output``; its path.

    Parameters
    ----------
    exercise : str
        Number, name or graded function (see :func:`~.submission.lookup_exercise`).
    output : str
        Where to write the zip.
    hidden_visibility : str
        Visibility of the hidden cases' tests (one of :data:`VISIBILITIES`).
    sandbox : {"required", "auto", "off"}
        The grading mode on Gradescope.
    wheel : str, optional
        A ready ce-course wheel; built with ``pip wheel --no-deps`` when omitted.
    seed : str, optional
        The instructor's secret seed of the hidden cases. It is stored in the zip's configuration,
        which Gradescope keeps in ``/autograder/source``: never in the learner's sandbox. Without
        it the hidden cases use the documented default seed, and every result says so.
    """
    from .submission import lookup_exercise

    name = lookup_exercise(exercise)
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(
            f"build_package: hidden_visibility must be one of {VISIBILITIES}, "
            f"got {hidden_visibility!r}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "wheel",
                    "--no-deps",
                    "--no-build-isolation",
                    "--quiet",
                    "-w",
                    tmp,
                    _project_root(),
                ],
                check=True,
            )
            found = glob.glob(os.path.join(tmp, "ce_course-*.whl"))
            if not found:
                raise FileNotFoundError("build_package: pip wheel produced no ce_course wheel")
            wheel = found[0]
        config = {"exercise": name, "hidden_visibility": hidden_visibility, "sandbox": sandbox}
        if seed:
            config["seed"] = str(seed)
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
            base = os.path.basename(wheel)
            for arcname, text in (
                ("setup.sh", _SETUP.format(wheel=base)),
                ("run_autograder", _RUN),
            ):
                info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o755 << 16
                zf.writestr(info, text)
            zf.writestr(CONFIG_NAME, json.dumps(config, indent=2) + "\n")
            zf.write(wheel, base)
    return output


def _find_submission(directory: str) -> str | None:
    files = []
    for root, _dirs, names in os.walk(directory):
        for n in names:
            if n.endswith((".ipynb", ".py")) and not n.endswith("-checkpoint.ipynb"):
                files.append(os.path.join(root, n))
    files.sort(key=lambda p: (not p.endswith(".ipynb"), p))
    return files[0] if files else None


def run_autograder(root: str = "/autograder") -> dict:
    """Grade ``root/submission`` as configured in ``root/source``; write and return the results."""
    start = time.monotonic()
    with open(os.path.join(root, "source", CONFIG_NAME), encoding="utf-8") as fh:
        config = json.load(fh)
    results_dir = os.path.join(root, "results")
    os.makedirs(results_dir, exist_ok=True)
    path = _find_submission(os.path.join(root, "submission"))
    if path is None:
        doc: dict[str, Any] = {
            "score": 0.0,
            "execution_time": round(time.monotonic() - start, 3),
            "output": "No `.ipynb` or `.py` file was found in the submission.",
            "output_format": "md",
            "tests": [],
        }
    else:
        from .sandbox import SandboxUnavailable

        try:
            report = grade_submission(
                path,
                exercise=config["exercise"],
                sandbox=config["sandbox"],
                seed=config.get("seed"),
            )
        except SandboxUnavailable as exc:
            report = SubmissionReport(os.path.basename(path), config["exercise"], "error")
            report.messages.append(f"the autograder cannot run safely here: {exc}")
        report.path = os.path.basename(path)
        doc = results_json(report, hidden_visibility=config.get("hidden_visibility", "hidden"))
    with open(os.path.join(results_dir, "results.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return doc


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ce_course.grading.gradescope")
    parser.add_argument("--root", default="/autograder")
    run_autograder(parser.parse_args().root)
