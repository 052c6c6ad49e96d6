"""Local Sphinx extension of the ce-course book (listed in ``_config.yml``).

- Serves Plotly from the book itself: ``plotly.min.js`` of the installed ``plotly`` package is
  copied to ``_static/plotly/`` of the HTML output, and ``_static/ce_interactive.js`` (which
  loads it on pages with an interactive figure) is added to every page. No CDN.
- Offers every chapter as a notebook: a ``.ipynb`` written from the MyST source with jupytext,
  without the build-only cells (tagged ``remove-cell``: glue, prose checks), so it runs in the
  exercises' environment. The theme's download menu links it.
- Gives the theme's header buttons accessible names that contain their visible text
  (WCAG 2.5.3, axe-core's ``label-content-name-mismatch``); ``_static/ce_a11y.js`` does the same
  for the controls the theme labels in its templates (search, colour mode, code toggles).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

__all__ = ["notebook_for", "setup"]

#: Tags of cells that exist only for the build and are left out of the downloaded notebook.
BUILD_ONLY_TAGS = frozenset({"remove-cell"})


def notebook_for(source: Path) -> Any | None:
    """Return the reader's notebook of a MyST chapter, or None if it has no code cell.

    Parameters
    ----------
    source : Path
        A MyST markdown notebook (``book/*.md``).

    Returns
    -------
    nbformat.NotebookNode or None
        The notebook without outputs and without cells tagged ``remove-cell``; None when no
        code cell is left.
    """
    import jupytext

    text = source.read_text(encoding="utf-8")
    if "```{code-cell}" not in text:
        return None
    nb = jupytext.reads(text, fmt="myst")
    nb.cells = [
        cell
        for cell in nb.cells
        if not BUILD_ONLY_TAGS & set(cell.get("metadata", {}).get("tags", []))
    ]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("jupytext", None)
    if not any(cell.cell_type == "code" for cell in nb.cells):
        return None
    return nb


def _source_path(app: Any, docname: str) -> Path | None:
    try:
        path = Path(app.env.doc2path(docname))
    except Exception:
        return None
    return path if path.suffix == ".md" and path.is_file() else None


def _set_ipynb_source(app: Any, pagename: str, templatename: str, context: dict, doctree: Any):
    """Before the theme builds its buttons: point its .ipynb entry at our notebook."""
    if doctree is None or context.get("ipynb_source"):
        return
    source = _source_path(app, pagename)
    if source is not None and notebook_for(source) is not None:
        context["ipynb_source"] = f"{pagename}.ipynb"


def _accessible_buttons(app: Any, pagename: str, templatename: str, context: dict, doctree):
    """After the theme: a button's tooltip (its aria-label/title) starts with its visible text."""

    def fix(buttons: list[dict]) -> None:
        for button in buttons:
            text, tooltip = button.get("text"), button.get("tooltip")
            if text and tooltip and not tooltip.lower().startswith(text.lower()):
                button["tooltip"] = f"{text}: {tooltip[0].lower()}{tooltip[1:]}"
            fix(button.get("buttons", []))

    fix(context.get("header_buttons", []))


def _build_finished(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import nbformat
    import plotly

    static = Path(app.outdir) / "_static" / "plotly"
    static.mkdir(parents=True, exist_ok=True)
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copy2(bundle, static / "plotly.min.js")
    for docname in sorted(app.env.found_docs):
        source = _source_path(app, docname)
        nb = notebook_for(source) if source else None
        if nb is None:
            continue
        dest = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)


def setup(app: Any) -> dict[str, Any]:
    app.add_js_file("ce_interactive.js")
    app.add_js_file("ce_a11y.js")
    app.connect("html-page-context", _set_ipynb_source, priority=400)
    app.connect("html-page-context", _accessible_buttons, priority=600)
    app.connect("build-finished", _build_finished)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
