"""Derivation questions inside the autograder: the question kind, grading, ``check()``.

A :class:`DerivationQuestion` is a :class:`~ce_course.grading.spec.Question` whose submission is
a module-level string (``answer_jacobian_offdiag = "-p_i*p_j"``) instead of a function. It has
two cases: the public check (points where the feedback may quote values) and a hidden one (more
class counts, other random points). The worker returns the string as a raw value; it is parsed
and judged here, in the grader's process (:func:`grade_derivation`), or in the learner's own
kernel by ``check(name)`` (:func:`check_derivation_question`). Nothing ever evaluates it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..spec import Case, Exercise, Question
from .checker import Derivation, DerivationResult, check_answer
from .parser import MAX_LENGTH
from .questions import derivations_of

__all__ = [
    "DerivationQuestion",
    "check_derivation_question",
    "grade_derivation",
    "judge",
    "make_question",
    "show_result",
    "with_derivations",
]

PUBLIC_LABEL = "your formula, at the public test points"
HIDDEN_LABEL = "more class counts and random points"


def _no_reference(*args: Any, **kwargs: Any) -> None:
    """Derivation questions have no reference function: the expected answer is a formula."""
    return None


@dataclass
class DerivationQuestion(Question):
    """A graded formula: ``function`` is the question's name, ``variable`` the notebook's."""

    derivation: Derivation | None = None
    kind: str = "derivation"
    variable: str = ""

    def with_cases(self, extra: Sequence[Case]) -> DerivationQuestion:
        """Extra tests from an instructor do not apply to a formula: refuse them."""
        if extra:
            raise ValueError(
                f"{self.function} is a derivation question: --hidden-tests cases cannot target it"
            )
        return self


def make_question(d: Derivation) -> DerivationQuestion:
    """The autograder's question for one derivation."""
    return DerivationQuestion(
        function=d.name,
        title=d.title,
        reference=_no_reference,
        cases=[
            Case(d.name, PUBLIC_LABEL, points=d.points, hidden=False),
            Case(d.name, HIDDEN_LABEL, points=d.hidden_points, hidden=True),
        ],
        mutation_points=0.0,
        derivation=d,
        variable=d.variable,
    )


def with_derivations(exercise: Exercise) -> Exercise:
    """``exercise`` with its derivation questions appended (unchanged if it has none)."""
    extra = [make_question(d) for d in derivations_of(exercise.name)]
    have = set(exercise.functions)
    extra = [q for q in extra if q.function not in have]
    if not extra:
        return exercise
    return Exercise(exercise.name, exercise.title, [*exercise.questions, *extra])


def _hidden_message(result: DerivationResult) -> str:
    if result.status == "anticipated":
        return result.message
    return "your formula differs from the derivative at other class counts or points"


def judge(question: DerivationQuestion, answer: Any, *, length: int | None = None) -> tuple:
    """``(public result, hidden result)`` for one answer."""
    d = question.derivation
    assert d is not None
    if length is not None and length > MAX_LENGTH and isinstance(answer, str):
        r = DerivationResult(
            d.name,
            answer[:MAX_LENGTH],
            "parse_error",
            key="parse",
            message=f"the answer is {length} characters long; the limit is {MAX_LENGTH}",
        )
        return r, r
    public = check_answer(d, answer)
    if public.status in ("parse_error", "empty") or public.key == "constant":
        # the hidden check is numeric only: it cannot see what the proof showed
        return public, public
    hidden = check_answer(d, answer, hidden=True, prove=False)
    return public, hidden


def grade_derivation(question: DerivationQuestion, run: Any) -> Any:
    """The :class:`~ce_course.grading.grader.QuestionReport` of a derivation question.

    ``run`` is the :class:`~ce_course.grading.runner.QuestionRun` of the question: its one case
    message carries the raw value of the notebook variable (``status`` ``ok`` or ``missing``,
    ``value`` the string, ``answer_length`` its full length).
    """
    from ..grader import CaseReport, QuestionReport

    report = QuestionReport(question.function, question.title, 0.0, question.max_score, "failed")
    public_case, hidden_case = question.cases

    def zero(status: str, message: str) -> QuestionReport:
        report.status = status
        report.feedback = [message]
        report.cases = [
            CaseReport(c.label, c.hidden, 0.0, float(c.points), False) for c in question.cases
        ]
        return report

    raw = run.cases[0] if run is not None and run.cases else None
    if raw is None:
        detail = getattr(run, "detail", "") or "not run"
        status = getattr(run, "status", "not_run")
        return zero(status if status in ("timeout", "crashed", "not_run") else "not_run", detail)
    if raw.get("status") == "missing":
        return zero(
            "missing", f"no variable {question.variable} is defined: run the cell that sets it"
        )
    value = raw.get("value")
    if not isinstance(value, str):
        kind = raw.get("answer_type") or type(value).__name__
        return zero(
            "failed", f'{question.variable} must be a string such as "p_i - y_i", got {kind}'
        )
    length = raw.get("answer_length")
    public, hidden = judge(question, value, length=length if isinstance(length, int) else None)
    if public.status == "empty":
        return zero("not_implemented", "not implemented yet")
    scores = (public.credit * public_case.points, hidden.credit * hidden_case.points)
    messages = (public.line, "" if hidden.correct else _hidden_message(hidden))
    for case, score, result, message in zip(
        question.cases, scores, (public, hidden), messages, strict=True
    ):
        report.cases.append(
            CaseReport(
                case.label,
                case.hidden,
                round(score, 6),
                float(case.points),
                result.correct,
                "" if result.correct else message,
            )
        )
    report.score = round(sum(scores), 6)
    if not public.correct:
        report.feedback.append(f"{public_case.label}: {public.line}")
    if public.correct and not hidden.correct:
        report.feedback.append(f"[hidden] {hidden_case.label}: {messages[1]}")
    report.feedback.append(f"your answer: {value.strip()[:200]}")
    if report.score >= question.max_score - 1e-9:
        report.status = "passed"
    elif report.score > 0:
        report.status = "partial"
    return report


def show_result(question: Derivation, result: DerivationResult, *, color: bool = False) -> None:
    """Print the verdict; in a Jupyter kernel also display the answer as rendered math."""
    ok = "✓" if result.correct else "✗"
    if color:
        ok = f"\033[{'32' if result.correct else '31'}m{ok}\033[0m"
    credit = f" (partial credit: {result.credit:.0%})" if 0 < result.credit < 1 else ""
    print(f"{ok} {question.name}: {result.message}{credit}")
    if not result.latex:
        return
    if _in_kernel():
        try:
            from IPython.display import Math, display

            display(Math(rf"\text{{your answer: }}\quad {result.latex}"))
            return
        except Exception:
            pass
    print(f"  your answer: ${result.latex}$")


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return type(shell).__name__ == "ZMQInteractiveShell"


def check_derivation_question(
    question: DerivationQuestion, namespace: dict[str, Any], *, color: bool = False
) -> Any:
    """``check(name)`` for a derivation question: the public check, printed; a CheckResult."""
    from ..learner_check import CaseLine, CheckResult

    d = question.derivation
    assert d is not None
    public_case = question.cases[0]
    result = CheckResult(question.function, max_score=float(public_case.points))
    if question.variable not in namespace:
        msg = f"no variable {question.variable} found: run the cell that sets it"
        result.messages.append(msg)
        print(f"✗ {question.function}: {msg}")
        return result
    answer = namespace[question.variable]
    verdict = check_answer(d, str.__str__(answer) if isinstance(answer, str) else answer)
    if verdict.status == "empty":
        print(f'✗ {question.function}: not answered yet (set {question.variable} = "...")')
        result.cases.append(
            CaseLine(public_case.label, False, 0.0, public_case.points, "not implemented yet")
        )
        return result
    score = verdict.credit * public_case.points
    result.cases.append(
        CaseLine(
            public_case.label,
            verdict.correct,
            score,
            public_case.points,
            "" if verdict.correct else verdict.message,
        )
    )
    result.score = score
    result.passed = verdict.correct
    print(f"{question.function}: {score:g}/{public_case.points:g} on the public check")
    show_result(d, verdict, color=color)
    if verdict.correct:
        print("  the grader also checks hidden points")
    return result
