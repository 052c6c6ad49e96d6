"""Keep build plumbing out of the code that readers see, and reader code within 88 columns.

For every MyST chapter given (default: every ``book/*.md``):

1. ``glue(...)`` calls, loops made only of them, ``from myst_nb import ...`` and top-level
   ``assert`` statements (checks that the prose matches the numbers) are moved out of each
   visible code cell into a new cell right after it, tagged ``remove-cell``: the book still runs
   them, readers never see them. An assert that a reader should see stays when its line ends with
   the comment ``# reader``.
2. Visible code cells with lines over 88 columns are reformatted with ``ruff format
   --line-length 88`` (long strings and comments still need a hand edit; the test
   ``tests/test_book_cells.py`` lists what is left).

Usage: ``python tools/reader_cells.py [--check] [book/01_chain_rule.md ...]``. With ``--check``
nothing is written and the exit status is 1 if a file would change.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["main", "split_build_statements"]

ROOT = Path(__file__).resolve().parent.parent
CELL = re.compile(r"```\{code-cell\}( [^\n]*)?\n(.*?)\n```", re.S)
MAX_COLUMNS = 88


def _split_header(body: str) -> tuple[list[str], list[str]]:
    lines = body.split("\n")
    if lines and lines[0] == "---":
        end = lines.index("---", 1)
        return lines[: end + 1], lines[end + 1 :]
    i = 0
    while i < len(lines) and lines[i].startswith(":"):
        i += 1
    return lines[:i], lines[i:]


def _is_glue(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "glue"
    )


def _build_only(stmt: ast.stmt, lines: list[str]) -> bool:
    if _is_glue(stmt):
        return True
    if isinstance(stmt, ast.ImportFrom) and (stmt.module or "").split(".")[0] == "myst_nb":
        return True
    if isinstance(stmt, ast.For) and all(_is_glue(s) for s in stmt.body):
        return True
    if isinstance(stmt, ast.Assert):
        return not lines[stmt.end_lineno - 1].rstrip().endswith("# reader")
    return False


def split_build_statements(text: str) -> str:
    """Return the chapter ``text`` with build-only statements moved into ``remove-cell`` cells.

    Parameters
    ----------
    text : str
        A MyST markdown notebook.

    Returns
    -------
    str
        The same notebook; unchanged if no visible cell holds a build-only statement.
    """
    out, pos = [], 0
    for match in CELL.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        lang, body = match.group(1) or "", match.group(2)
        header, code = _split_header(body)
        if any("remove-cell" in line for line in header):
            out.append(match.group(0))
            continue
        try:
            tree = ast.parse("\n".join(code))
        except SyntaxError:
            out.append(match.group(0))
            continue
        moved: set[int] = set()
        for stmt in tree.body:
            if _build_only(stmt, code):
                first = stmt.lineno - 1
                while first > 0 and code[first - 1].lstrip().startswith("#"):
                    first -= 1  # the comment above goes with it
                moved.update(range(first, stmt.end_lineno))
        if not moved:
            out.append(match.group(0))
            continue

        def tidy(lines: list[str]) -> str:
            return re.sub(r"\n{3,}", "\n\n\n", "\n".join(lines)).strip("\n")

        keep = tidy([line for i, line in enumerate(code) if i not in moved])
        hidden = tidy([line for i, line in enumerate(code) if i in moved])
        hidden_cell = f"```{{code-cell}}{lang}\n:tags: [remove-cell]\n\n{hidden}\n```"
        if keep.strip():
            head = "\n".join(header) + "\n" if header else ""
            gap = "\n" if header and header[0].startswith(":") else ""
            out.append(f"```{{code-cell}}{lang}\n{head}{gap}{keep}\n```\n\n{hidden_cell}")
        else:
            out.append(hidden_cell)
    out.append(text[pos:])
    return "".join(out)


def _ruff() -> str | None:
    here = Path(sys.executable).parent / "ruff"
    return str(here) if here.is_file() else shutil.which("ruff")


def reflow_long_cells(text: str) -> str:
    """Reformat visible code cells that have lines over 88 columns with ruff."""
    ruff = _ruff()
    if ruff is None:
        return text

    def reflow(match: re.Match) -> str:
        header, code = _split_header(match.group(2))
        if any("remove-cell" in line for line in header):
            return match.group(0)
        if not any(len(line) > MAX_COLUMNS for line in code):
            return match.group(0)
        lead = []
        while code and code[0] == "":
            lead.append("")
            code = code[1:]
        result = subprocess.run(
            [ruff, "format", "--line-length", str(MAX_COLUMNS), "--stdin-filename", "c.py", "-"],
            input="\n".join(code) + "\n",
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return match.group(0)
        new = result.stdout.rstrip("\n")
        return (
            f"```{{code-cell}}{match.group(1) or ''}\n" + "\n".join([*header, *lead, new]) + "\n```"
        )

    return CELL.sub(reflow, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)
    files = args.files or sorted((ROOT / "book").glob("*.md"))
    changed = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        new = reflow_long_cells(split_build_statements(text))
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "changed"
    for path in changed:
        print(f"reader_cells: {verb} {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
