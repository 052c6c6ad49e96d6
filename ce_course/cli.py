"""The ``ce-course`` command line: a thin layer over the package and the grader."""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence

import numpy as np

from . import __version__

__all__ = ["build_parser", "main"]


def _cmd_info(args: argparse.Namespace) -> int:
    import ce_course

    print(f"ce-course {__version__}")
    print(f"package:  {ce_course.__file__.rsplit('/', 1)[0]}")
    print(f"python:   {platform.python_version()} ({sys.executable})")
    print(f"numpy:    {np.__version__}")
    print("reference functions: " + ", ".join(n for n in ce_course.__all__ if n[0].islower()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ce-course",
        description="Companion tool of the softmax cross-entropy course.",
    )
    parser.add_argument("--version", action="version", version=f"ce-course {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = sub.add_parser("info", help="print versions and what the package provides")
    info.set_defaults(func=_cmd_info)
    try:  # the grader adds its subcommands (grade, assign, check) when it is installed
        from .grading.cli import add_subcommands
    except ImportError:
        pass
    else:
        add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
