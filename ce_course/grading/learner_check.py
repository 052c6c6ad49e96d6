"""``check("softmax")``: the learner's quick test, run from their notebook.

It finds the function of that name in the caller's globals, runs the question's *public* cases on
it in the learner's own process (it is their session), and prints one line per case: ✓ or ✗ and,
for a failure, the same diagnosis the grader gives. It never raises: a function that still raises
``NotImplementedError`` is reported as "not implemented yet", any other exception is reported
with its message. It returns a :class:`CheckResult`.

Inside the grader's worker it does nothing (the grader runs every case itself).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckResult", "check"]

_UNDER_GRADER = False  # set by the grader's worker process


@dataclass
class CaseLine:
    """One public case in a :class:`CheckResult`."""

    label: str
    passed: bool
    score: float
    max_score: float
    message: str = ""


@dataclass
class CheckResult:
    """What ``check()`` found.

    Attributes
    ----------
    name : str
        The function (or exercise) checked.
    passed : bool
        Every public case passed and nothing forbidden was used.
    score, max_score : float
        Points earned on the public cases, out of their total.
    cases : list of CaseLine
    messages : list of str
        Remarks about the function as a whole (not defined, calls the reference, ...).
    skipped : bool
        True inside the grader, where ``check()`` does nothing.
    """

    name: str
    passed: bool = False
    score: float = 0.0
    max_score: float = 0.0
    cases: list[CaseLine] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    skipped: bool = False

    def __repr__(self) -> str:
        status = "passed" if self.passed else "not passed"
        return (
            f"<check {self.name!r}: {status}, {_num(self.score)}/{_num(self.max_score)} "
            "on the public cases>"
        )

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:
        """Show nothing in a notebook: ``check()`` has already printed the feedback, and a
        ``check(...)`` cell would otherwise repeat it as the cell's value."""


def _num(x: float) -> str:
    return f"{x:g}"


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    ipython = sys.modules.get("IPython")
    if ipython is not None:  # a Jupyter kernel renders ANSI colours
        try:
            shell = ipython.get_ipython()
        except Exception:
            shell = None
        if type(shell).__name__ == "ZMQInteractiveShell":
            return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _copy(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def _same(a: Any, b: Any) -> bool:
    import numpy as np

    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and a.tobytes() == b.tobytes()
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return True


def _error_dict(exc: BaseException, fn: Any) -> dict[str, Any]:
    import traceback

    where = ""
    code = getattr(fn, "__code__", None)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if code is not None]
    own = [f for f in frames if f.filename == code.co_filename] if code is not None else []
    if own:
        last = own[-1]
        where = f"line {last.lineno}: {(last.line or '').strip()[:100]}"
    return {"type": type(exc).__name__, "message": str(exc)[:300], "where": where}


def _check_question(question: Any, fn: Any) -> CheckResult:
    from .compare import evaluate_case
    from .guard import ReferenceGuard
    from .serialize import decode, encode
    from .static import live_reference_uses

    result = CheckResult(question.function)
    public = question.public_cases()
    public_expected = [question.expected(c) for c in public]
    mutated: list[str] = []
    violations: list[str] = []
    for case, expected in zip(public, public_expected, strict=True):
        args, kwargs = _copy(case.args), _copy(case.kwargs)
        pristine = _copy((args, kwargs))
        raw: dict[str, Any]
        guard = ReferenceGuard(question.forbidden)
        try:
            with guard:
                value = fn(*args, **kwargs)
            raw = {"status": "ok", "value": decode(encode(value))}
        except NotImplementedError:
            raw = {"status": "not_implemented"}
        except KeyboardInterrupt:
            result.messages.append("interrupted")
            break
        except BaseException as exc:  # never raise: report it instead
            raw = {"status": "error", "error": _error_dict(exc, fn)}
        violations.extend(v for v in guard.violations if v not in violations)
        if not _same(pristine, (args, kwargs)) and raw["status"] == "ok":
            mutated.append(case.label)
        outcome = evaluate_case(question, case, expected, raw, public_expected=public_expected)
        result.cases.append(
            CaseLine(case.label, outcome.passed, outcome.score, outcome.max_score, outcome.message)
        )
    for origin in live_reference_uses(fn, question.forbidden):
        if origin not in violations:
            violations.append(origin)
    result.max_score = float(sum(c.points for c in public))
    result.score = float(sum(c.score for c in result.cases))
    if violations:
        result.messages.append(
            f"calls {', '.join(violations)}: that is the reference implementation (or a "
            "library doing the same job); write it yourself: the grader gives no credit for it"
        )
        result.score = 0.0
    if mutated:
        result.messages.append(
            "modifies its input arrays in place (e.g. x -= x.max(...)); work on a copy or "
            "create new arrays: the grader takes a point for it"
        )
    result.passed = (
        bool(result.cases)
        and all(c.passed for c in result.cases)
        and not violations
        and not mutated
        and len(result.cases) == len(public)
    )
    return result


def _print(result: CheckResult, color: bool) -> None:
    ok, bad = _paint("✓", "32", color), _paint("✗", "31", color)
    if all(c.message == "not implemented yet" for c in result.cases) and result.cases:
        print(f"{bad} {result.name}: not implemented yet")
        return
    head = _paint(result.name, "1", color)
    print(f"{head}: {_num(result.score)}/{_num(result.max_score)} on the public cases")
    for c in result.cases:
        if c.passed:
            print(f"  {ok} {c.label}")
        else:
            print(f"  {bad} {c.label}: {c.message}")
    for m in result.messages:
        print(f"  {bad} {m}")
    if result.passed:
        print(_paint("  all public cases pass; the grader also runs hidden cases", "32", color))


def check(name: str | Any, *, namespace: dict[str, Any] | None = None) -> CheckResult:
    """Run the public tests of a graded function and print what is right or wrong.

    Parameters
    ----------
    name : str or function
        The graded function's name (``"softmax"``), the function itself, or an exercise name
        (``"03_stability"``) to check all of its functions.
    namespace : dict, optional
        Where to look the function up; the caller's globals by default.

    Returns
    -------
    CheckResult
        ``.passed``, ``.score``, ``.max_score`` and one line per case. For an exercise name, the
        results of its functions combined.

    Examples
    --------
    >>> import numpy as np
    >>> def softmax(x):
    ...     e = np.exp(x - x.max(axis=-1, keepdims=True))
    ...     return e / e.sum(axis=-1, keepdims=True)
    >>> result = check("softmax")  # doctest: +ELLIPSIS
    softmax: 2/2 on the public cases
      ✓ one example x = [1, 2, 3]
      ✓ a batch of two rows, shape (2, 3)
      all public cases pass; the grader also runs hidden cases
    >>> result.passed, result.score, result.max_score
    (True, 2.0, 2.0)
    """
    label = name if isinstance(name, str) else getattr(name, "__name__", repr(name))
    if _UNDER_GRADER:
        return CheckResult(label, skipped=True)
    color = _use_color()
    try:
        if namespace is None:
            frame = sys._getframe(1)
            namespace = frame.f_globals
        from .exercises import EXERCISE_NAMES, find_function, get_exercise

        if isinstance(name, str) and (name in EXERCISE_NAMES or name[:2].isdigit()):
            exercise = get_exercise(name)
            results = [check(q.function, namespace=namespace) for q in exercise.questions]
            total = CheckResult(exercise.name)
            total.cases = [c for r in results for c in r.cases]
            total.messages = [m for r in results for m in r.messages]
            total.score = sum(r.score for r in results)
            total.max_score = sum(r.max_score for r in results)
            total.passed = all(r.passed for r in results)
            return total
        if isinstance(name, str):
            fn = namespace.get(name)
        else:
            fn, name = name, label
        try:
            _, question = find_function(label)
        except KeyError as exc:
            result = CheckResult(label, messages=[str(exc).strip("'\"")])
            print(f"{_paint('✗', '31', color)} {result.messages[0]}")
            return result
        if getattr(question, "kind", "") == "derivation":  # a formula (issue 11)
            from .symbolic.grading import check_derivation_question

            return check_derivation_question(question, namespace, color=color)
        if fn is None or not callable(fn):
            what = "no function" if fn is None else f"{type(fn).__name__}, not a function,"
            msg = f"{what} named {label!r} found: run the cell that defines it first"
            result = CheckResult(
                label, messages=[msg], max_score=sum(c.points for c in question.public_cases())
            )
            print(f"{_paint('✗', '31', color)} {label}: {msg}")
            return result
        result = _check_question(question, fn)
        _print(result, color)
        return result
    except Exception as exc:  # check() must never break the learner's notebook
        print(f"check({label!r}) could not run: {type(exc).__name__}: {exc}")
        return CheckResult(label, messages=[f"internal error: {exc}"])
