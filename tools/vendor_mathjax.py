"""Copy the parts of MathJax 3 that the book uses from the npm package into ``book/_static``.

The book is typeset by MathJax 3 (CommonHTML output, TeX fonts, assistive MathML) served from
``book/_static/mathjax``, never from a CDN. The copy is committed, so a plain
``jupyter-book build .`` renders math with no network and no Makefile step. This script
refreshes it from ``node_modules/mathjax`` (``npm ci`` at the repository root installs the
version pinned in ``package-lock.json``).

Usage: ``python tools/vendor_mathjax.py [--check]``. With ``--check`` nothing is written; the
exit status is 1 when the committed copy differs from the npm package.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
from pathlib import Path

__all__ = ["VENDORED", "main", "vendored_files"]

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "mathjax"
DEST = ROOT / "book" / "_static" / "mathjax"

#: Paths under the package's ``es5/`` that the book loads: the combined TeX-to-CommonHTML
#: component (TeX input, CHTML output, the menu), the TeX web fonts, the assistive-MathML
#: extension the menu loads for screen readers, and the TeX extensions that ``autoload``
#: fetches on first use (``\cancel``, ``\color``, ...).
VENDORED = (
    "tex-chtml.js",
    "output/chtml/fonts/woff-v2",
    "a11y/assistive-mml.js",
    "input/tex/extensions",
)


def vendored_files(root: Path) -> list[Path]:
    """Return the vendored files below ``root`` (a package's ``es5/`` or ``DEST``), sorted.

    Parameters
    ----------
    root : Path
        Directory holding the ``VENDORED`` paths.

    Returns
    -------
    list of Path
        Paths relative to ``root``.
    """
    files: list[Path] = []
    for name in VENDORED:
        path = root / name
        if path.is_dir():
            files += [p.relative_to(root) for p in path.rglob("*") if p.is_file()]
        elif path.is_file():
            files.append(Path(name))
    return sorted(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = parser.parse_args(argv)
    es5 = SOURCE / "es5"
    if not es5.is_dir():
        print(f"vendor_mathjax: {es5} is missing: run `npm ci` first", file=sys.stderr)
        return 2
    version = json.loads((SOURCE / "package.json").read_text())["version"]
    if not version.startswith("3."):
        print(f"vendor_mathjax: expected MathJax 3, node_modules has {version}", file=sys.stderr)
        return 2
    wanted = vendored_files(es5)
    if args.check:
        have = vendored_files(DEST)
        stale = [str(p) for p in wanted if p not in have or not filecmp.cmp(es5 / p, DEST / p)]
        extra = [str(p) for p in have if p not in wanted]
        if stale or extra or not (DEST / "VERSION").is_file():
            print(f"vendor_mathjax: {DEST} differs from MathJax {version}: "
                  f"{len(stale)} stale, {len(extra)} extra file(s)", file=sys.stderr)  # fmt: skip
            return 1
        print(f"vendor_mathjax: {DEST} matches MathJax {version} ({len(wanted)} files)")
        return 0
    shutil.rmtree(DEST, ignore_errors=True)
    for rel in wanted:
        (DEST / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(es5 / rel, DEST / rel)
    shutil.copy2(SOURCE / "LICENSE", DEST / "LICENSE")
    (DEST / "VERSION").write_text(f"mathjax {version} (npm), copied by tools/vendor_mathjax.py\n")
    print(f"vendor_mathjax: copied {len(wanted)} files of MathJax {version} to {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
