"""Execute every chapter and every exercise notebook under nbval.

Chapters are MyST markdown notebooks (``book/*.md``), the form Jupyter Book renders and reviewers
diff. nbval reads ``.ipynb``, so each chapter listed in ``_toc.yml`` is converted with jupytext into
``build/nbval/`` first (no outputs are stored, so nbval checks that every cell runs without error;
``--nbval-lax``). The exercise notebooks are ``.ipynb`` already: both the instructor sources and the
generated learner versions are executed, the learner stubs' ``raises-exception`` cells included.

Usage: ``python tools/nbval_chapters.py [extra pytest args]``; exits with pytest's status.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
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
            jupytext.write(jupytext.read(src), dest)
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
