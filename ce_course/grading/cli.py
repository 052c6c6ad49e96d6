"""The ``grade`` and ``assign`` subcommands of ``ce-course``.

``ce-course grade SUBMISSION... [--exercise NAME] [--format text|json|csv|gradescope]
[--output FILE] [--hidden-tests DIR] [--timeout SECONDS] [--load-timeout SECONDS]
[--memory-limit MIB] [--jobs N] [--seed SECRET] [--summary] [--sandbox auto|required|off]``

``--seed`` (or the environment variable ``CE_COURSE_SEED``) is the instructor's secret from which
the hidden cases are drawn; without it a documented default seed is used and every report says so.
``--summary`` adds, per question, how many learners made each known mistake and how many passed
each kind of case.

Exit status: 0 when every submission was graded (whatever its score, a syntax error or a
malformed notebook included), 1 when some submission could not be graded at all (its exercise is
unknown, or the grader failed), 2 for a usage error (no submission found, bad hidden tests,
``--sandbox required`` where the sandbox does not work).

``ce-course gradescope EXERCISE [--output ZIP] [--hidden-visibility V] [--sandbox MODE]
[--seed SECRET]``

Writes the Gradescope autograder zip (see :mod:`.gradescope`); exit status 2 if it cannot.

``ce-course assign [--source DIR] [--dest DIR] [--check]``

Exit status: 0 when the learner notebooks are (or, with ``--check``, already were) up to date,
1 when ``--check`` finds stale or missing ones, 2 when a source notebook is invalid.
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_subcommands"]


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _cmd_grade(args: argparse.Namespace) -> int:
    from .grader import grade_paths
    from .hidden import HiddenTestsError, load_hidden_tests
    from .report import format_reports
    from .submission import find_submissions

    missing = [p for p in args.submissions if not os.path.exists(p)]
    if missing:
        print(f"ce-course grade: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    files = find_submissions(args.submissions)
    if not files:
        print("ce-course grade: no .ipynb or .py submission found", file=sys.stderr)
        return 2
    if args.format == "gradescope" and len(files) != 1:
        print(
            f"ce-course grade: --format gradescope grades one submission, found {len(files)}: "
            + ", ".join(files[:5]),
            file=sys.stderr,
        )
        return 2
    if args.exercise:
        from .submission import lookup_exercise

        try:
            lookup_exercise(args.exercise)
        except KeyError as exc:
            print(f"ce-course grade: {exc.args[0]}", file=sys.stderr)
            return 2
    from .sandbox import SandboxUnavailable, resolve_mode

    try:
        resolve_mode(args.sandbox)
    except SandboxUnavailable as exc:
        print(f"ce-course grade: {exc}", file=sys.stderr)
        return 2
    hidden = {}
    if args.hidden_tests:
        try:
            hidden = load_hidden_tests(args.hidden_tests)
        except HiddenTestsError as exc:
            print(f"ce-course grade: {exc}", file=sys.stderr)
            return 2
    reports = grade_paths(
        args.submissions,
        exercise=args.exercise,
        timeout=args.timeout,
        load_timeout=args.load_timeout,
        memory_mb=args.memory_limit,
        hidden_cases=hidden,
        hidden_dir=args.hidden_tests,
        jobs=args.jobs,
        seed=args.seed,
        sandbox=args.sandbox,
    )
    text = format_reports(reports, args.format)
    if args.summary:
        from .report import summary

        summary_text = summary(reports)
        if args.output:
            sys.stdout.write(summary_text)
        else:
            text = text + "\n" + summary_text
    if args.output:
        directory = os.path.dirname(os.path.abspath(args.output))
        os.makedirs(directory, exist_ok=True)
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        total = len(reports)
        print(f"ce-course grade: {total} submission(s) graded, report in {args.output}")
    else:
        sys.stdout.write(text)
    return 1 if any(r.status == "error" for r in reports) else 0


def _cmd_gradescope(args: argparse.Namespace) -> int:
    from .gradescope import build_package
    from .submission import lookup_exercise

    try:
        lookup_exercise(args.exercise)
    except KeyError as exc:
        print(f"ce-course gradescope: {exc.args[0]}", file=sys.stderr)
        return 2
    try:
        path = build_package(
            args.exercise,
            args.output,
            hidden_visibility=args.hidden_visibility,
            sandbox=args.sandbox,
            seed=args.seed,
        )
    except (OSError, ValueError) as exc:
        print(f"ce-course gradescope: {exc}", file=sys.stderr)
        return 2
    print(f"ce-course gradescope: wrote {path}")
    return 0


def _cmd_assign(args: argparse.Namespace) -> int:
    from .assign import AssignError, assign

    try:
        result = assign(args.source, args.dest, check=args.check)
    except AssignError as exc:
        print(f"ce-course assign: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if result.stale or result.missing:
            for path in result.missing:
                print(f"missing: {path}")
            for path in result.stale:
                print(f"stale:   {path}")
            print(
                "ce-course assign --check: learner notebooks are out of date; run "
                "`ce-course assign` and commit them",
                file=sys.stderr,
            )
            return 1
        print(f"ce-course assign --check: {len(result.unchanged)} learner notebook(s) up to date")
        return 0
    for path in result.written:
        print(f"wrote    {path}")
    print(
        f"ce-course assign: {len(result.written)} written, {len(result.unchanged)} unchanged"
        + (
            f", {len(result.orphans)} without a source: {', '.join(result.orphans)}"
            if result.orphans
            else ""
        )
    )
    return 0


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``grade`` and ``assign`` to the ``ce-course`` command line."""
    grade = subparsers.add_parser(
        "grade",
        help="grade exercise submissions (notebooks or .py files)",
        description=(
            "Grade submissions. Each runs in a separate, limited Python process; the exercise "
            "comes from the notebook metadata, else the file name (NN_...), else --exercise."
        ),
    )
    grade.add_argument(
        "submissions",
        nargs="+",
        metavar="SUBMISSION",
        help=".ipynb or .py files, or directories of them",
    )
    grade.add_argument(
        "--exercise",
        metavar="NAME",
        help="grade every submission as this exercise (08, 08_linear_classifier or a graded "
        "function's name); wins over the notebook metadata and the file name",
    )
    grade.add_argument("--format", choices=("text", "json", "csv", "gradescope"), default="text")
    grade.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    grade.add_argument(
        "--hidden-tests",
        metavar="DIR",
        help="directory of extra test cases (see ce_course.grading.hidden)",
    )
    grade.add_argument(
        "--timeout",
        type=_positive,
        default=10.0,
        metavar="SECONDS",
        help="time limit of each graded function, all its cases together (default 10)",
    )
    grade.add_argument(
        "--load-timeout",
        type=_positive,
        metavar="SECONDS",
        help="time limit of the submission's top-level code (default max(30, 3 x timeout))",
    )
    grade.add_argument(
        "--memory-limit",
        type=int,
        default=2048,
        metavar="MIB",
        help="address-space limit of the process running a submission (default 2048)",
    )
    grade.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="submissions graded at the same time"
    )
    grade.add_argument(
        "--seed",
        metavar="SECRET",
        help=(
            "instructor's secret seed of the hidden cases (default: $CE_COURSE_SEED, else a "
            "documented default seed, which the report then names)"
        ),
    )
    grade.add_argument(
        "--summary",
        action="store_true",
        help="also print, per question, how many learners made each mistake and passed each kind",
    )
    grade.add_argument(
        "--sandbox",
        choices=("auto", "required", "off"),
        default=os.environ.get("CE_COURSE_SANDBOX", "auto"),
        help="run each submission in a bubblewrap sandbox: auto (where it works, else plain "
        "processes, said in every report), required (refuse to grade without it), off",
    )
    grade.set_defaults(func=_cmd_grade)

    gradescope = subparsers.add_parser(
        "gradescope",
        help="write a Gradescope autograder zip for one exercise",
        description=(
            "Write setup.sh, run_autograder, the configuration and a ce-course wheel into a zip "
            "that Gradescope's autograder accepts; results.json follows its specification."
        ),
    )
    gradescope.add_argument("exercise", metavar="EXERCISE", help="08, a name or a function")
    gradescope.add_argument("--output", "-o", default="autograder.zip", metavar="ZIP")
    gradescope.add_argument(
        "--hidden-visibility",
        choices=("hidden", "after_due_date", "after_published", "visible"),
        default="after_published",
        help="when learners see the tests of hidden cases (default after_published)",
    )
    gradescope.add_argument(
        "--sandbox",
        choices=("auto", "required", "off"),
        default="required",
        help="grading mode on Gradescope (default required)",
    )
    gradescope.add_argument(
        "--seed",
        metavar="SECRET",
        default=os.environ.get("CE_COURSE_SEED"),
        help=(
            "instructor's secret seed of the hidden cases, stored in the zip's configuration "
            "(default: $CE_COURSE_SEED, else the documented default seed)"
        ),
    )
    gradescope.set_defaults(func=_cmd_gradescope)

    assign = subparsers.add_parser(
        "assign",
        help="generate the learner notebooks from the instructor sources",
        description=(
            "Replace each ### BEGIN SOLUTION ... ### END SOLUTION region by "
            "raise NotImplementedError, drop cells tagged hidden-tests, clear outputs, tag "
            "cells that call a stub with raises-exception, and write deterministic JSON."
        ),
    )
    assign.add_argument("--source", default=os.path.join("exercises", "source"), metavar="DIR")
    assign.add_argument("--dest", default="exercises", metavar="DIR")
    assign.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing the learner notebooks that are out of date",
    )
    assign.set_defaults(func=_cmd_assign)
