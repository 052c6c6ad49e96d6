"""Measure the grader's feedback on the corpus of wrong submissions in ``tests/grading``.

Prints how many wrong submissions get their declared mistake named (the ``EXPECT`` keyword of
every question they lose, and exactly the declared known mistakes where they list them), and how
many would see an all-green ``check()`` (every public case passed and no remark).

Usage: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python tools/grading_corpus_stats.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "grading"))

from grading_support import expectation, files  # noqa: E402

from ce_course.grading.grader import grade_paths  # noqa: E402

_REMARKS = ("modifies its input", "adds or removes keys", "loops over the", "a convention")


def _green(q) -> bool:
    public = [c for c in q.cases if not c.hidden]
    return (
        bool(public)
        and all(c.passed for c in public)
        and q.status != "reference_used"
        and not any(r in line for line in q.feedback for r in _REMARKS)
    )


def _is_coded(report, q) -> bool:
    """False for a derivation question (a formula in a string, issue 11)."""
    from ce_course.grading.exercises import get_exercise

    spec = get_exercise(report.exercise).question(q.function)
    return getattr(spec, "kind", "") != "derivation"


def main() -> int:
    paths = files("wrong")
    reports = grade_paths([str(p) for p in paths], jobs=2, progress=False)
    named = green = 0
    missed = []
    for path, report in zip(paths, reports, strict=True):
        expect = expectation(path)
        by_name = {q.function: q for q in report.questions}
        ok = all(
            kw in "\n".join(by_name[f].feedback) and by_name[f].score < by_name[f].max_score
            for f, kw in expect["lose"].items()
        )
        ok = ok and all(
            sorted(by_name[f].mistakes) == sorted(keys)
            for f, keys in expect.get("mistakes", {}).items()
        )
        named += ok
        if not ok:
            missed.append(path.name)
        coded = [q for q in report.questions if q.function in by_name and _is_coded(report, q)]
        if all(_green(q) for q in coded):
            green += 1
    n = len(paths)
    print(f"wrong submissions: {n}")
    print(f"actual mistake named: {named}/{n} = {100 * named / n:.1f}%")
    print(f"all-green check(): {green}/{n} = {100 * green / n:.1f}%")
    for name in missed:
        print(f"  not named: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
