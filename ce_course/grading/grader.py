"""Grade submissions: read, analyse statically, run in workers, score, explain.

:func:`grade_submission` grades one file and :func:`grade_paths` a batch (files and directories),
in parallel threads that each drive a worker process. Nothing here raises because of a
submission: every failure becomes a status and a message in the report, so one broken submission
never stops a batch.

Scoring of a question (a graded function):

* each case earns its points, split between the parts of the output (``loss`` and ``dW``...);
* "leaves its inputs unchanged" earns ``mutation_points`` if some case passed and no case
  modified an argument in place;
* using a reference implementation (found statically in the source, or at run time by
  :class:`~.guard.ReferenceGuard`) gives 0 for the question, with the reason;
* a timeout or a crash keeps the cases finished before it and gives 0 for the rest.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .compare import evaluate_question, mutation_messages
from .exercises import exercise_from_filename, get_exercise
from .probes import Probe
from .runner import QuestionRun, run_submission
from .sandbox import resolve_mode
from .serialize import encode
from .spec import ALWAYS_ALLOWED, DEFAULT_HIDDEN_SEED, SEED_ENV, Case, Exercise, Question
from .static import example_loops, reference_uses
from .submission import (
    Submission,
    SubmissionError,
    find_submissions,
    lookup_exercise,
    read_submission,
    resolve_exercise,
)

__all__ = [
    "CaseReport",
    "QuestionReport",
    "SubmissionReport",
    "grade_paths",
    "grade_submission",
]

_GRADING_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass
class CaseReport:
    """One case of one question in a report."""

    label: str
    hidden: bool
    score: float
    max_score: float
    passed: bool
    feedback: str = ""
    kind: str = ""


@dataclass
class QuestionReport:
    """One graded function in a report.

    Attributes
    ----------
    status : str
        ``passed``, ``partial``, ``failed``, ``not_implemented``, ``missing`` (no such function),
        ``reference_used``, ``timeout``, ``crashed`` or ``not_run`` (the submission did not
        load).
    feedback : list of str
        Explanations, question-level remarks first (the named mistakes, once each), then one
        line per distinct message of the failed cases.
    mistakes : list of str
        Keys of the known mistakes named (for the instructor's ``--summary``).
    """

    function: str
    title: str
    score: float
    max_score: float
    status: str
    feedback: list[str] = field(default_factory=list)
    cases: list[CaseReport] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)


@dataclass
class SubmissionReport:
    """The grade of one submission.

    Attributes
    ----------
    status : str
        ``graded`` (the functions ran, whatever their scores), ``load_error`` (malformed
        notebook, syntax error, or top-level code that crashed or hung: 0 points),
        ``nothing_to_grade`` (the submission defines none of the exercise's graded functions) or
        ``error`` (the exercise could not be determined, or the grader failed).
    sandbox : str
        ``"bubblewrap"`` when the workers ran in the sandbox, else why not (every report format
        shows it).
    messages : list of str
        Remarks about the submission as a whole (cells that raised while loading...).
    hidden_seed : str
        ``"default"`` when the hidden cases were drawn with the documented default seed,
        ``"instructor"`` when with the instructor's secret (``--seed``, ``CE_COURSE_SEED``).
    """

    path: str
    exercise: str | None
    status: str
    score: float = 0.0
    max_score: float = 0.0
    questions: list[QuestionReport] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    hidden_seed: str = "default"
    sandbox: str = ""


def _encode_input(value: Any) -> Any:
    if isinstance(value, Probe):
        return {"$probe": [value.name, encode(dict(value.params))]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode_input(v) for v in value]}
    if isinstance(value, list):
        return {"$list": [_encode_input(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[str(k), _encode_input(v)] for k, v in value.items()]}
    return encode(value, max_bytes=2**31)


def _empty_questions(exercise: Exercise, status: str, detail: str) -> list[QuestionReport]:
    return [
        QuestionReport(
            q.function,
            q.title,
            0.0,
            q.max_score,
            status,
            [detail] if detail else [],
            [CaseReport(c.label, c.hidden, 0.0, float(c.points), False) for c in q.cases],
        )
        for q in exercise.questions
    ]


def _fmt_load_error(err: dict[str, Any]) -> str:
    where = f" ({err['where']})" if err.get("where") else ""
    msg = str(err.get("message", ""))
    return f"{err.get('chunk', '?')} raised {err.get('type', 'an error')}: {msg}{where}"


def _strs(value: Any) -> list[str]:
    return [str(v)[:200] for v in value] if isinstance(value, list) else []


_IDENT = r"[A-Za-z_]\w{0,40}"
_NAME = re.compile(rf"{_IDENT}(\.{_IDENT}){{0,3}}")
_ARG_PATH = re.compile(rf"{_IDENT}(\[\d{{1,3}}\]|\['{_IDENT}'\]){{0,3}}")


def _hidden_name(text: str, default: str, pattern: re.Pattern = _NAME) -> str:
    """A name the worker reported about a hidden case, if it has the form of a name (so it
    cannot spell the case's numbers), else ``default``. The worker is the learner's process."""
    return text if pattern.fullmatch(text) else default


def _grade_question(
    question: Question,
    run: Any,
    findings: list[Any],
    functions: dict[str, str],
    load_errors: list[dict[str, Any]],
    memory_mb: int,
    loops: Sequence[str] = (),
) -> QuestionReport:
    if getattr(question, "kind", "") == "derivation":  # a formula, judged here (issue 11)
        from .symbolic.grading import grade_derivation

        return grade_derivation(question, run)
    fn = question.function
    report = QuestionReport(fn, question.title, 0.0, question.max_score, "failed")
    if findings:
        where = "; ".join(f.describe() for f in findings)
        report.status = "reference_used"
        report.feedback.append(
            f"uses {where}: that is the reference implementation (or a library doing the same "
            "job), so this question gets no credit; write it with NumPy yourself"
        )
        report.cases = [CaseReport(c.label, c.hidden, 0.0, c.points, False) for c in question.cases]
        return report
    state = functions.get(fn, "missing")
    if run is None:
        run = QuestionRun(fn, "not_run", [], "not run")
    if run.status != "not_run" and state != "callable":
        if state == "missing":
            msg = f"no function named {fn} is defined"
            related = [e for e in load_errors if e.get("type") == "SyntaxError"] or load_errors
            if related:
                msg += f" (while loading, {_fmt_load_error(related[0])})"
            report.status = "missing"
        else:
            msg = f"{fn} is a {state}, not a function"
            report.status = "missing"
        report.feedback.append(msg)
        report.cases = [CaseReport(c.label, c.hidden, 0.0, c.points, False) for c in question.cases]
        return report
    public_expected = [question.expected(c) for c in question.public_cases()]
    violations: list[str] = []
    stub_calls: list[str] = []
    tampered = False
    mutated: list[str] = []
    statuses = []
    raws: list[dict[str, Any] | None] = []
    for i, case in enumerate(question.cases):
        raw = run.cases[i] if i < len(run.cases) else None
        raws.append(raw)
        if raw is None:
            statuses.append("stopped")
            continue
        statuses.append(str(raw.get("status")))
        for v in _strs(raw.get("violations")):
            v = _hidden_name(v, "a forbidden library") if case.hidden else v
            if v not in violations:
                violations.append(v)
        for call in raw.get("stub_calls") or []:
            text = f"{call['name']} ({call['where']})"
            if case.hidden:  # where: a line of the learner's, forgeable; the name: checked
                text = _hidden_name(call["name"], "a reference")
            if text not in stub_calls and len(stub_calls) < 5:
                stub_calls.append(text)
        tampered = tampered or bool(raw.get("tampered"))
        for m in _strs(raw.get("mutated")):
            if case.hidden:  # a path of the learner's arguments, or "the keys of <path>"
                keys = m.startswith("the keys of ")
                m = _hidden_name(m.removeprefix("the keys of "), "an input", _ARG_PATH)
                m = f"the keys of {m}" if keys else m
            if m not in mutated:
                mutated.append(m)
    evaluated = evaluate_question(
        question, question.cases, raws, public_expected=public_expected, memory_mb=memory_mb
    )
    report.mistakes = list(evaluated.mistake_keys)
    stopped_note_done = False
    for case, outcome in zip(question.cases, evaluated.cases, strict=True):
        if outcome is None:
            text = "not run"
            if not stopped_note_done and run.detail:
                text = run.detail
                stopped_note_done = True
            report.cases.append(
                CaseReport(case.label, case.hidden, 0.0, case.points, False, text, case.kind)
            )
            continue
        report.cases.append(
            CaseReport(
                case.label,
                case.hidden,
                outcome.score,
                outcome.max_score,
                outcome.passed,
                outcome.message,
                case.kind,
            )
        )
    any_passed = any(c.passed for c in report.cases)
    mutation_ok = any_passed and not mutated
    score = sum(c.score for c in report.cases) + (question.mutation_points if mutation_ok else 0)
    if evaluated.convention_share:
        score -= evaluated.convention_share * question.max_score
    if question.loop_points and any_passed and not loops:
        score += question.loop_points
    if question.loop_points and loops:
        report.feedback.extend(
            f"{line} (costs {question.loop_points:g} of {question.max_score:g} points)"
            for line in loops
        )
        report.mistakes.append("loop")
    if run.status in ("timeout", "crashed", "not_run") and run.detail:
        report.feedback.append(run.detail)
    if stub_calls or violations or tampered:
        what = (
            ", ".join(stub_calls or violations)
            if stub_calls or violations
            else ("the grader's profile hook")
        )
        verb = "calls" if stub_calls or violations else "tampers with"
        report.feedback.insert(
            0,
            f"{verb} {what} while it runs: that is the reference implementation (or a library "
            "doing the same job), so this question gets no credit; write it with NumPy yourself",
        )
        report.status = "reference_used"
        score = 0.0
    if mutated and question.mutation_points:
        report.feedback.extend(mutation_messages(mutated))
    report.feedback.extend(
        _case_feedback(report.cases, skip={"not run", run.detail}, named=evaluated.diagnoses)
    )
    report.score = round(max(score, 0.0), 6)
    if report.status != "reference_used":
        if run.status in ("timeout", "crashed", "not_run"):
            report.status = run.status
        elif statuses and all(s == "not_implemented" for s in statuses):
            report.status = "not_implemented"
            report.feedback = ["not implemented yet"]
        elif report.score >= question.max_score - 1e-9:
            report.status = "passed"
        elif report.score > 0:
            report.status = "partial"
        else:
            report.status = "failed"
    return report


def _labels(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    shown = "; ".join(labels[:3]) + (f"; and {len(labels) - 3} more" if len(labels) > 3 else "")
    return f"{len(labels)} cases: {shown}"


def _case_feedback(cases: list[CaseReport], skip: set[str], named: Sequence[str] = ()) -> list[str]:
    """The named mistakes once each (with the cases they explain), then one line per other
    distinct message, naming the cases that got it (hidden ones marked)."""
    groups: dict[str, list[str]] = {}
    for c in cases:
        if not c.passed and c.feedback and c.feedback not in skip:
            groups.setdefault(c.feedback, []).append(f"[hidden] {c.label}" if c.hidden else c.label)
    lines = []
    for diag in named:
        base = diag.split(" (a convention, not an error")[0]
        hits = [
            label
            for message, labels in groups.items()
            if message == base or message.endswith(f": {base}")
            for label in labels
        ]
        lines.append(f"{diag} ({_labels(hits)})" if hits else diag)
        for message in [m for m in groups if m == base or m.endswith(f": {base}")]:
            del groups[message]
    for message, labels in groups.items():
        if len(labels) == 1:
            lines.append(f"{labels[0]}: {message}")
        else:
            lines.append(f"{message} ({_labels(labels)})")
    return lines


def _syntax_error(submission: Submission) -> str | None:
    if submission.kind != "python":
        return None
    chunk = submission.chunks[0]
    try:
        ast.parse(chunk.source, filename=chunk.filename)
    except SyntaxError as exc:
        return f"syntax error at line {exc.lineno} of {chunk.label}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"{chunk.label} cannot be parsed: {type(exc).__name__}"
    return None


def grade_submission(
    path: str,
    *,
    exercise: str | None = None,
    timeout: float = 10.0,
    load_timeout: float | None = None,
    memory_mb: int = 2048,
    hidden_cases: dict[str, list[Case]] | None = None,
    blocked_paths: Sequence[str] = (),
    seed: str | None = None,
    sandbox: str | bool | None = None,
) -> SubmissionReport:
    """Grade one submission file.

    Parameters
    ----------
    path : str
        A ``.ipynb`` or ``.py`` file.
    exercise : str, optional
        Used when neither the notebook metadata nor the file name names the exercise.
    timeout : float
        Seconds per question.
    load_timeout : float, optional
        Seconds for the top-level code; see :func:`~.runner.run_submission`.
    memory_mb : int
        Memory limit of the worker, in MiB.
    hidden_cases : dict, optional
        Extra cases per exercise (from :func:`~.hidden.load_hidden_tests`).
    blocked_paths : sequence of str
        More paths the worker may not read (the grader's tests are always blocked).
    seed : str, optional
        The instructor's secret seed of the hidden cases; else ``CE_COURSE_SEED``, else the
        documented default (:data:`~.spec.DEFAULT_HIDDEN_SEED`), which the report says.
    sandbox : {"auto", "required", "off"} or bool
        Whether the workers run in the bubblewrap sandbox (:mod:`.sandbox`); ``auto`` uses it
        where it works and says in the report when it does not. ``True``/``False`` force it.
        The default is the environment variable ``CE_COURSE_SANDBOX``, else ``auto``.

    Returns
    -------
    SubmissionReport
    """
    start = time.monotonic()
    if sandbox is None:
        sandbox = os.environ.get("CE_COURSE_SANDBOX", "auto")
    if isinstance(sandbox, bool):
        sandboxed, note = sandbox, "" if sandbox else "sandbox: off"
    else:
        sandboxed, note = resolve_mode(sandbox)
    try:
        secret = seed if seed is not None else os.environ.get(SEED_ENV) or None
        report = _grade(
            path,
            exercise,
            timeout,
            load_timeout,
            memory_mb,
            hidden_cases or {},
            blocked_paths,
            secret or DEFAULT_HIDDEN_SEED,
            sandboxed,
        )
        report.hidden_seed = "instructor" if secret else "default"
        report.sandbox = "bubblewrap" if sandboxed else note
        return report
    except Exception as exc:  # a bug of the grader must not stop the batch
        return SubmissionReport(
            path,
            None,
            "error",
            messages=[f"internal grader error: {type(exc).__name__}: {exc}"],
            seconds=time.monotonic() - start,
        )


def _grade(
    path: str,
    explicit: str | None,
    timeout: float,
    load_timeout: float | None,
    memory_mb: int,
    hidden_cases: dict[str, list[Case]],
    blocked_paths: Sequence[str],
    seed: str = DEFAULT_HIDDEN_SEED,
    sandboxed: bool = False,
) -> SubmissionReport:
    start = time.monotonic()
    try:
        submission = read_submission(path)
    except SubmissionError as exc:
        name = exercise_from_filename(os.path.basename(path))
        if explicit:
            name = lookup_exercise(explicit)
        report = SubmissionReport(path, name, "load_error", messages=[str(exc)])
        if name is not None:
            ex = get_exercise(name).with_seed(seed).with_cases(hidden_cases.get(name, []))
            report.max_score = ex.max_score
            report.questions = _empty_questions(ex, "not_run", "the submission could not be read")
        report.seconds = time.monotonic() - start
        return report
    try:
        name, note = resolve_exercise(submission, explicit)
    except KeyError as exc:
        return SubmissionReport(
            path, None, "error", messages=[str(exc.args[0])], seconds=time.monotonic() - start
        )
    exercise = get_exercise(name).with_seed(seed).with_cases(hidden_cases.get(name, []))
    report = SubmissionReport(path, exercise.name, "graded", max_score=exercise.max_score)
    if note:
        report.messages.append(note)
    syntax = _syntax_error(submission)
    if syntax:
        report.status = "load_error"
        report.messages.append(syntax)
        report.questions = _empty_questions(exercise, "not_run", syntax)
        report.seconds = time.monotonic() - start
        return report
    chunk_pairs = [(c.label, c.source) for c in submission.chunks]
    findings = {
        q.function: reference_uses(chunk_pairs, q.function, q.forbidden) for q in exercise.questions
    }
    loops = {
        q.function: example_loops(chunk_pairs, q.function, q.vectorized, q.class_axes)
        for q in exercise.questions
        if getattr(q, "vectorized", ())
    }
    job_questions = [
        {
            "function": q.function,
            "forbidden": sorted(q.forbidden),
            "cases": [
                {"args": _encode_input(c.args), "kwargs": _encode_input(dict(c.kwargs))}
                for c in q.cases
            ],
            **({"variable": q.variable} if getattr(q, "kind", "") == "derivation" else {}),
        }
        for q in exercise.questions
        if not findings[q.function]
    ]
    blocked = [_GRADING_DIR, os.path.abspath(path), *map(os.path.abspath, blocked_paths)]
    allowed = set(ALWAYS_ALLOWED).union(*(q.allowed for q in exercise.questions))
    run = run_submission(
        [{"label": c.label, "source": c.source, "filename": c.filename} for c in submission.chunks],
        submission.kind,
        job_questions,
        timeout=timeout,
        load_timeout=load_timeout,
        memory_mb=memory_mb,
        blocked_paths=blocked,
        allowed=sorted(allowed),
        sandbox=sandboxed,
    )
    if run.protocol_violation:
        report.messages.append(run.protocol_violation)
    if run.load_failure:
        report.status = "load_error"
        report.messages.append(run.load_failure)
    for err in run.load_errors[:5]:
        report.messages.append(_fmt_load_error(err))
    if len(run.load_errors) > 5:
        report.messages.append(f"... and {len(run.load_errors) - 5} more cells raised")
    for q in exercise.questions:
        report.questions.append(
            _grade_question(
                q,
                run.questions.get(q.function),
                findings[q.function],
                run.functions,
                run.load_errors,
                memory_mb,
                loops.get(q.function, ()),
            )
        )
    report.score = round(sum(q.score for q in report.questions), 6)
    if (
        report.status == "graded"
        and report.questions
        and not run.load_errors
        and all(q.status == "missing" for q in report.questions)
    ):
        report.status = "nothing_to_grade"
        report.messages.insert(
            0,
            f"nothing to grade for {exercise.name}: the submission defines none of its graded "
            f"functions ({', '.join(exercise.functions)})",
        )
    report.seconds = time.monotonic() - start
    return report


class _Progress:
    """A one-line progress bar on a terminal's stderr."""

    def __init__(self, total: int, stream: Any) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.lock = threading.Lock()

    def update(self, label: str) -> None:
        with self.lock:
            self.done += 1
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            name = os.path.basename(label)[:40]
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {name:<40}"
            )
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()


def grade_paths(
    paths: Sequence[str],
    *,
    exercise: str | None = None,
    timeout: float = 10.0,
    load_timeout: float | None = None,
    memory_mb: int = 2048,
    hidden_cases: dict[str, list[Case]] | None = None,
    hidden_dir: str | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    on_result: Callable[[SubmissionReport], None] | None = None,
    seed: str | None = None,
    sandbox: str | bool | None = None,
) -> list[SubmissionReport]:
    """Grade files and directories (every ``.ipynb``/``.py`` directly inside a directory).

    Parameters
    ----------
    paths : sequence of str
    exercise, timeout, load_timeout, memory_mb, hidden_cases
        As for :func:`grade_submission`.
    hidden_dir : str, optional
        The instructor's hidden-tests directory: the workers may not read it.
    jobs : int, optional
        Submissions graded at the same time; ``min(4, os.cpu_count())`` by default.
    progress : bool, optional
        Show a progress bar on stderr; by default when stderr is a terminal and a directory was
        given.
    on_result : callable, optional
        Called with each report as soon as it is ready (from a worker thread).
    seed : str, optional
        The instructor's secret seed of the hidden cases (see :func:`grade_submission`).
    sandbox : {"auto", "required", "off"} or bool
        See :func:`grade_submission`; ``required`` raises
        :class:`~.sandbox.SandboxUnavailable` before grading anything when there is no sandbox.

    Returns
    -------
    list of SubmissionReport
        In the order of the files.
    """
    if sandbox is None:
        sandbox = os.environ.get("CE_COURSE_SANDBOX", "auto")
    if not isinstance(sandbox, bool):
        sandbox = resolve_mode(sandbox)[0] or sandbox  # raises for "required" without a sandbox
    files = find_submissions(list(paths))
    if progress is None:
        progress = any(os.path.isdir(p) for p in paths) and sys.stderr.isatty()
    bar = _Progress(len(files), sys.stderr) if progress and files else None
    blocked = [os.path.abspath(f) for f in files]
    if hidden_dir:
        blocked.append(os.path.abspath(hidden_dir))
    jobs = jobs or min(4, os.cpu_count() or 1)

    def one(path: str) -> SubmissionReport:
        report = grade_submission(
            path,
            exercise=exercise,
            timeout=timeout,
            load_timeout=load_timeout,
            memory_mb=memory_mb,
            hidden_cases=hidden_cases,
            blocked_paths=blocked,
            seed=seed,
            sandbox=sandbox,
        )
        if bar is not None:
            bar.update(path)
        if on_result is not None:
            on_result(report)
        return report

    if jobs <= 1 or len(files) <= 1:
        return [one(f) for f in files]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, files))
