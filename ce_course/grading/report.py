"""Write grading reports: ``text``, ``json``, ``csv`` and Gradescope's ``results.json``.

``text``
    for people: one block per submission, each question's score and what is wrong.
``json``
    everything, machine-readable: ``{"grader", "exercises", "submissions": [...]}``; each
    submission has its path, exercise, status, score, max_score, messages, seconds and questions,
    each question its score, status, feedback and cases (label, hidden, score, passed, feedback).
``csv``
    one row per submission: ``submission, exercise, status``, one column per graded function of
    the exercises in the batch (empty when it does not apply), ``total, max, message``.
``gradescope``
    Gradescope's autograder ``results.json`` for one submission: top-level ``score``,
    ``output``, ``execution_time``, and one test per graded function with ``name``, ``score``,
    ``max_score``, ``status``, ``output`` and ``visibility``.

Hidden cases are named by their label only, never by their inputs.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from .exercises import EXERCISE_NAMES, get_exercise
from .grader import SubmissionReport

__all__ = ["FORMATS", "format_reports", "summary"]

FORMATS = ("text", "json", "csv", "gradescope")


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def _counts(q: Any) -> str:
    """``"3/4 cases, 8.5/10 points"``; ``"reference used: 0 points"`` when it was."""
    if q.status == "reference_used":
        return f"reference used: 0/{_num(q.max_score)} points"
    passed = sum(c.passed for c in q.cases)
    return f"{passed}/{len(q.cases)} cases, {_num(q.score)}/{_num(q.max_score)} points"


def _seed_note(reports: list[SubmissionReport]) -> str | None:
    if any(r.hidden_seed == "default" and r.questions for r in reports):
        return (
            "hidden cases were drawn with the default seed (public in the grader's source); "
            "give --seed or CE_COURSE_SEED to keep them secret"
        )
    return None


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127, *range(0x80, 0xA0))}
_CONTROL.update({10: "\\n", 13: "\\r", 9: " ", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def _clean(text: str) -> str:
    """One line without control characters: a learner's error message or file name cannot
    clear the terminal, colour it, or start a line that looks like the grader's."""
    return str(text).translate(_CONTROL)


def _cell(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula (``=cmd|...``, ``+``, ``-``, ``@``)."""
    text = _clean(text)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def _text(reports: list[SubmissionReport]) -> str:
    out: list[str] = []
    for r in reports:
        ex = r.exercise or "unknown exercise"
        out.append(f"{_clean(r.path)}  [{ex}]  {_num(r.score)}/{_num(r.max_score)}  ({r.status})")
        for m in r.messages:
            out.append(f"  ! {_clean(m)}")
        if r.sandbox and r.sandbox != "bubblewrap":
            out.append(f"  ! {r.sandbox}")
        for q in r.questions:
            mark = "✓" if q.status == "passed" else "✗"
            out.append(f"  {mark} {q.function}: {_counts(q)} ({q.status})")
            shown = 0
            for line in q.feedback:
                if shown == 12:
                    out.append(f"      ... {len(q.feedback) - shown} more")
                    break
                out.append(f"      - {_clean(line)}")
                shown += 1
        out.append("")
    if len(reports) > 1:
        graded = [r for r in reports if r.max_score]
        mean = sum(r.score / r.max_score for r in graded) / len(graded) if graded else 0.0
        counts: dict[str, int] = {}
        for r in reports:
            counts[r.status] = counts.get(r.status, 0) + 1
        status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        out.append(f"{len(reports)} submissions ({status}); mean score {100 * mean:.1f}%")
    note = _seed_note(reports)
    if note:
        out.append(note)
    return "\n".join(out).rstrip() + "\n"


def _json(reports: list[SubmissionReport]) -> str:
    from .. import __version__

    names = sorted({r.exercise for r in reports if r.exercise}, key=EXERCISE_NAMES.index)
    doc: dict[str, Any] = {
        "grader": f"ce-course {__version__}",
        "exercises": {
            n: {
                "max_score": get_exercise(n).max_score,
                "functions": get_exercise(n).functions,
            }
            for n in names
        },
        "hidden_seed_note": _seed_note(reports),
        "submissions": [asdict(r) for r in reports],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _csv(reports: list[SubmissionReport]) -> str:
    names = sorted({r.exercise for r in reports if r.exercise}, key=EXERCISE_NAMES.index)
    functions = [f for n in names for f in get_exercise(n).functions]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        ["submission", "exercise", "status", *functions, "total", "max", "message", "sandbox"]
    )
    for r in reports:
        scores = {q.function: _num(q.score) for q in r.questions}
        lines = list(r.messages)
        for q in r.questions:
            if q.status != "passed" or q.feedback:
                lines.append(f"{q.function}: {_counts(q)} ({q.status})")
                lines.extend(f"{q.function}: {line}" for line in q.feedback)
        # every feedback line, one per line of the cell (the csv module quotes it)
        message = "\n".join(_cell(line) for line in lines)
        writer.writerow(
            [
                _cell(r.path),
                r.exercise or "",
                r.status,
                *(scores.get(f, "") for f in functions),
                _num(r.score),
                _num(r.max_score),
                message,  # each line already made safe by _cell
                _cell(r.sandbox),
            ]
        )
    return buf.getvalue()


def _gradescope(reports: list[SubmissionReport]) -> str:
    if len(reports) != 1:
        raise ValueError(
            f"--format gradescope grades exactly one submission, got {len(reports)}; "
            "give the notebook itself or a directory holding only it"
        )
    r = reports[0]
    tests = []
    for q in r.questions:
        lines = [f"{q.title}: {_counts(q)}"]
        lines += [f"✗ {line}" for line in q.feedback]
        tests.append(
            {
                "name": f"{q.function} ({r.exercise})",
                "score": q.score,
                "max_score": q.max_score,
                "status": "passed" if q.status == "passed" else "failed",
                "output": "\n".join(lines),
                "visibility": "visible",
            }
        )
    head = f"{r.exercise or 'unknown exercise'}: {_num(r.score)}/{_num(r.max_score)}"
    sandbox = [r.sandbox] if r.sandbox and r.sandbox != "bubblewrap" else []
    output = "\n".join([head, *r.messages, *sandbox])
    doc = {
        "score": r.score,
        "output": output,
        "execution_time": round(r.seconds, 3),
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def format_reports(reports: list[SubmissionReport], fmt: str = "text") -> str:
    """Render reports in one of :data:`FORMATS`.

    Raises
    ------
    ValueError
        For an unknown format, or ``gradescope`` with other than one report.
    """
    if fmt == "text":
        return _text(reports)
    if fmt == "json":
        return _json(reports)
    if fmt == "csv":
        return _csv(reports)
    if fmt == "gradescope":
        return _gradescope(reports)
    raise ValueError(f"format_reports: unknown format {fmt!r}; expected one of {FORMATS}")


def summary(reports: list[SubmissionReport]) -> str:
    """Per question: how many learners made each known mistake and passed each kind of case.

    Only submissions that were graded count; a learner counts once per mistake and once per
    kind (a kind passes when all its cases, public and hidden, passed).
    """
    out = ["Summary per question (learners graded: mistakes named; kinds of case passed)"]
    by_q: dict[tuple[str, str], list[Any]] = {}
    for r in reports:
        if r.status != "graded":
            continue
        for q in r.questions:
            by_q.setdefault((r.exercise or "?", q.function), []).append(q)
    if not by_q:
        return out[0] + "\n  (nothing graded)\n"
    for (exercise, function), qs in by_q.items():
        n = len(qs)
        full = sum(q.score >= q.max_score - 1e-9 for q in qs)
        out.append(f"{exercise} {function}: {n} learner(s), {full} with full marks")
        mistakes: dict[str, int] = {}
        for q in qs:
            for key in dict.fromkeys(q.mistakes):
                mistakes[key] = mistakes.get(key, 0) + 1
        statuses: dict[str, int] = {}
        for q in qs:
            if q.status not in ("passed", "partial", "failed"):
                statuses[q.status] = statuses.get(q.status, 0) + 1
        for key, count in sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  mistake {key}: {count}/{n}")
        for status, count in sorted(statuses.items()):
            out.append(f"  status {status}: {count}/{n}")
        kinds: dict[str, list[bool]] = {}
        for q in qs:
            per: dict[str, bool] = {}
            for c in q.cases:
                key = c.kind or c.label
                per[key] = per.get(key, True) and c.passed
            for key, ok in per.items():
                kinds.setdefault(key, []).append(ok)
        for key, oks in kinds.items():
            out.append(f"  kind {key}: passed by {sum(oks)}/{len(oks)}")
    return "\n".join(out) + "\n"
