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
    diagnoses: list[str] = field(default_factory=list)
    reference_used: bool = False

    @property
    def cases_passed(self) -> int:
        """How many public cases passed."""
        return sum(c.passed for c in self.cases)

    def summary(self) -> str:
        """``"1/2 public cases pass, 1.5/3 points"`` (or "reference used: 0 points")."""
        if self.reference_used:
            return f"reference used: 0 points (of {_num(self.max_score)})"
        return (
            f"{self.cases_passed}/{len(self.cases)} public cases pass, "
            f"{_num(self.score)}/{_num(self.max_score)} points"
        )

    def __repr__(self) -> str:
        status = "passed" if self.passed else "not passed"
        return f"<check {self.name!r}: {status}, {self.summary()}>"

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


def _changes(before: Any, after: Any, path: str, out: list[str]) -> None:
    """Append to ``out`` what differs between two copies of the arguments (worker's wording)."""
    import numpy as np

    if isinstance(before, np.ndarray):
        same = (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and before.dtype == after.dtype
            and before.tobytes() == after.tobytes()
        )
        if not same:
            out.append(path)
    elif isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            out.append(f"the keys of {path}")
        if isinstance(after, dict):
            for k in before:
                if k in after:
                    _changes(before[k], after[k], f"{path}[{k!r}]", out)
    elif isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        for i, (x, y) in enumerate(zip(before, after, strict=False)):
            _changes(x, y, f"{path}[{i}]", out)


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


def _arg_names(fn: Any, n: int) -> list[str]:
    code = getattr(fn, "__code__", None)
    names = list(code.co_varnames[: code.co_argcount]) if code is not None else []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(n)]


def _check_question(question: Any, fn: Any) -> CheckResult:
    import warnings

    import numpy as np

    from .compare import evaluate_question, mutation_messages
    from .guard import ReferenceGuard
    from .serialize import decode, encode
    from .static import live_example_loops, live_reference_uses

    result = CheckResult(question.function)
    public = question.public_cases()
    public_expected = [question.expected(c) for c in public]
    mutated: list[str] = []
    violations: list[str] = []
    raws: list[dict[str, Any] | None] = []
    for case in public:
        args, kwargs = _copy(case.args), _copy(case.kwargs)
        pristine = _copy((args, kwargs))
        raw: dict[str, Any]
        guard = ReferenceGuard(question.forbidden)
        try:
            with guard, np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # the diagnosis explains nan/inf
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
        if raw["status"] == "ok":
            changed: list[str] = []
            names = _arg_names(fn, len(args))
            for name, before, after in zip(names, pristine[0], args, strict=True):
                _changes(before, after, name, changed)
            for key in kwargs:
                _changes(pristine[1].get(key), kwargs[key], key, changed)
            mutated.extend(c for c in changed if c not in mutated)
        raws.append(raw)
    evaluated = evaluate_question(
        question,
        public[: len(raws)],
        raws,
        expected=public_expected[: len(raws)],
        public_expected=public_expected,
    )
    for case, outcome in zip(public, evaluated.cases, strict=False):
        assert outcome is not None
        result.cases.append(
            CaseLine(case.label, outcome.passed, outcome.score, outcome.max_score, outcome.message)
        )
    result.diagnoses = list(evaluated.diagnoses)
    for origin in live_reference_uses(fn, question.forbidden):
        if origin not in violations:
            violations.append(origin)
    result.max_score = float(sum(c.points for c in public))
    result.score = float(sum(c.score for c in result.cases))
    if evaluated.convention_share:
        result.score = max(0.0, result.score - evaluated.convention_share * result.max_score)
    if violations:
        result.reference_used = True
        result.messages.append(
            f"calls {', '.join(violations)}: that is the reference implementation (or a "
            "library doing the same job); write it yourself: the grader gives no credit for it"
        )
        result.score = 0.0
    if mutated and question.mutation_points:
        result.messages.extend(
            f"{m}: the grader takes {question.mutation_points:g} point(s) for it"
            for m in mutation_messages(mutated)
        )
    if question.vectorized and question.loop_points:
        for finding in live_example_loops(fn, question.vectorized, question.class_axes):
            result.messages.append(
                f"{finding}: the grader takes {question.loop_points:g} point(s) for it"
            )
    result.passed = (
        bool(result.cases)
        and all(c.passed for c in result.cases)
        and not result.messages
        and len(result.cases) == len(public)
    )
    return result


def _print(result: CheckResult, color: bool) -> None:
    ok, bad = _paint("✓", "32", color), _paint("✗", "31", color)
    if all(c.message == "not implemented yet" for c in result.cases) and result.cases:
        print(f"{bad} {result.name}: not implemented yet")
        return
    head = _paint(result.name, "1", color)
    print(f"{head}: {result.summary()}")
    for c in result.cases:
        if result.reference_used:
            print(f"  - {c.label}: not counted (reference used)")
        elif c.passed:
            print(f"  {ok} {c.label}: {_num(c.score)}/{_num(c.max_score)} points")
        else:
            print(f"  {bad} {c.label}: {_num(c.score)}/{_num(c.max_score)} points, {c.message}")
    for m in result.diagnoses:
        if not result.reference_used:
            print(f"  {bad} {m}")
    for m in result.messages:
        print(f"  {bad} {m}")
    if result.passed:
        print(
            _paint(
                "  all public cases pass; the grader runs hidden cases of the same kinds",
                "32",
                color,
            )
        )


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
    ...     x = np.asarray(x)
    ...     x = x.astype(float) if x.dtype.kind in "biu" else x  # integers become float64
    ...     e = np.exp(x - x.max(axis=-1, keepdims=True))
    ...     return e / e.sum(axis=-1, keepdims=True)
    >>> result = check("softmax")  # doctest: +ELLIPSIS
    softmax: ... public cases pass, ... points
      ✓ one example x = [1, 2, 3]: 1/1 points
      ✓ a batch of two rows, shape (2, 3): 1/1 points
    ...
      all public cases pass; the grader runs hidden cases of the same kinds
    >>> result.passed, result.score == result.max_score
    (True, True)
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
            total.diagnoses = [d for r in results for d in r.diagnoses]
            total.reference_used = any(r.reference_used for r in results)
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
