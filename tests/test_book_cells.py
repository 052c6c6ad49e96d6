"""Static checks of the chapters' code cells: what a reader sees is reader code.

Every page of ``_toc.yml`` is read with jupytext. The cells a reader can see (not tagged
``remove-cell`` or ``remove-input``) must not use the build's ``myst_nb`` (``glue``) and must fit
in 88 columns; every cell that draws a matplotlib figure must give it a name, a caption and an
alt text. ``tools/nbval_chapters.py`` (``make notebooks``) then runs the visible cells without
``myst_nb``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
MAX_COLUMNS = 88
HIDDEN_TAGS = frozenset({"remove-cell", "remove-input"})


def _toc_sources() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return [ROOT / f"{name}.md" for name in names if (ROOT / f"{name}.md").is_file()]


SOURCES = _toc_sources()


def _code_cells(source: Path) -> list[tuple[int, dict]]:
    nb = jupytext.read(source)
    return [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def test_toc_pages_found() -> None:
    assert len(SOURCES) >= 12, f"only {len(SOURCES)} MyST pages found from _toc.yml"


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_visible_cells_are_reader_code(source: Path) -> None:
    """No glue or myst_nb in a visible cell, and no line longer than 88 columns."""
    problems = []
    for index, cell in _code_cells(source):
        if _tags(cell) & HIDDEN_TAGS:
            continue
        if "myst_nb" in cell.source or "glue(" in cell.source:
            problems.append(f"cell {index} uses myst_nb/glue:\n{cell.source[:200]}")
        for number, line in enumerate(cell.source.splitlines(), 1):
            if len(line) > MAX_COLUMNS:
                problems.append(f"cell {index} line {number} has {len(line)} columns: {line}")
    assert not problems, f"{source.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_figures_have_name_caption_and_alt(source: Path) -> None:
    """Every cell that shows a matplotlib figure names it and gives a caption and alt text."""
    problems = []
    names = set()
    for index, cell in _code_cells(source):
        if "remove-cell" in _tags(cell) or "plt.show()" not in cell.source:
            continue
        meta = cell.get("metadata", {}).get("mystnb", {})
        figure, image = meta.get("figure", {}), meta.get("image", {})
        name = figure.get("name", "")
        if not name.startswith("fig-"):
            problems.append(f"cell {index}: figure name {name!r} (want fig-...)")
        if name in names:
            problems.append(f"cell {index}: figure name {name!r} used twice")
        names.add(name)
        if len(figure.get("caption", "")) < 40:
            problems.append(f"cell {index}: caption {figure.get('caption')!r} is missing or short")
        alt = image.get("alt", "")
        if len(alt) < 40 or alt.lower().endswith(".png"):
            problems.append(f"cell {index}: alt text {alt!r} does not describe the figure")
    assert not problems, f"{source.name}:\n" + "\n".join(problems)
