"""Execute every chapter and every exercise notebook under nbval.

Chapters are MyST markdown notebooks (``book/*.md``), the form Jupyter Book renders and reviewers
diff. nbval reads ``.ipynb``, so each chapter listed in ``_toc.yml`` is converted with jupytext into
``build/nbval/`` first (no outputs are stored, so nbval checks that every cell runs without error;
``--nbval-lax``). A chapter is run as its reader gets it: the build-only cells (tagged
``remove-cell``: myst-nb ``glue``, checks that the prose matches the numbers) are left out, and a
first cell makes ``import myst_nb`` fail, so every cell a reader can see or download must run in
the exercises' environment on its own. The book build runs the full chapters. The exercise notebooks are ``.ipynb`` already: both the instructor sources and the
generated learner versions are executed, the learner stubs' ``raises-exception`` cells included.

Usage: ``python tools/nbval_chapters.py [extra pytest args]``; exits with pytest's status.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "nbval"


def toc_files() -> list[Path]:
    """The chapter sources named in ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]
    for part in toc.get("parts", []):
        names += [chapter["file"] for chapter in part.get("chapters", [])]
    files = []
    for name in names:
        matches = [
            ROOT / f"{name}{ext}" for ext in (".md", ".ipynb") if (ROOT / f"{name}{ext}").exists()
        ]
        if not matches:
            sys.exit(f"nbval_chapters: {name} is in _toc.yml but has no .md or .ipynb file")
        files.append(matches[0])
    return files


#: Tags of the cells that only the book build runs.
BUILD_ONLY_TAGS = frozenset({"remove-cell"})

#: First cell of every converted chapter: readers' code must not need myst_nb.
BLOCK_MYST_NB = """\
import importlib.abc
import sys


class _NoMystNb(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "myst_nb":
            raise ImportError(f"{name} is not available in the exercises' environment")
        return None


sys.meta_path.insert(0, _NoMystNb())
"""


def reader_notebook(src: Path) -> nbformat.NotebookNode:
    """The chapter as a reader gets it: no build-only cells, and ``myst_nb`` unimportable."""
    nb = jupytext.read(src)
    nb.cells = [
        cell
        for cell in nb.cells
        if not BUILD_ONLY_TAGS & set(cell.get("metadata", {}).get("tags", []))
    ]
    nb.cells.insert(0, nbformat.v4.new_code_cell(BLOCK_MYST_NB))
    return nb


def main(argv: list[str]) -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    notebooks = []
    for src in toc_files():
        text = src.read_text()
        if src.suffix == ".md" and "```{code-cell}" not in text:
            continue  # a page without code has nothing to execute
        dest = OUT / (src.stem + ".ipynb")
        if src.suffix == ".md":
            jupytext.write(reader_notebook(src), dest)
        else:
            shutil.copy(src, dest)
        notebooks.append(dest)
    exercises = sorted((ROOT / "exercises" / "source").glob("*.ipynb"))
    exercises += sorted((ROOT / "exercises").glob("[0-9]*.ipynb"))
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
        "--nbval-cell-timeout=600", "-o", "addopts=", *map(str, notebooks + exercises), *argv,
    ]  # fmt: skip
    print(f"nbval: {len(notebooks)} chapters, {len(exercises)} exercise notebooks", flush=True)
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
