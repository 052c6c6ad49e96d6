"""``ce-course assign``: learner notebooks from the instructor sources.

For each ``SOURCE/<name>.ipynb`` the learner version ``DEST/<name>.ipynb`` is

* every region from a line ``### BEGIN SOLUTION`` to a line ``### END SOLUTION`` replaced, at the
  region's indentation, by a ``# TODO:`` comment (the source's own, if the line just above the
  region is one; else one naming what to write) and ``raise NotImplementedError("...")``;
* without the cells tagged ``hidden-tests``;
* with outputs and execution counts cleared and cell metadata reduced to ``tags``, ``editable``,
  ``deletable``, ``jupyter`` and ``slideshow``;
* with the tag ``raises-exception`` on every cell whose top-level code will raise because of a
  stub: it calls a graded function of the exercise, a function whose body had a solution region,
  a function (or an object of a class) that calls one of those, or uses a variable that an
  earlier such cell failed to set; nbval then accepts the error;
* with the notebook metadata (``ce_course.exercise`` included) kept;
* written as deterministic JSON (nbformat's writer: sorted keys, one-space indent, a final
  newline), so that ``--check`` can compare bytes: it writes nothing and reports the learner
  notebooks that are missing or differ from what would be generated.

The same region replacement applies to plain Python text (:func:`strip_solutions`), which is how
the grader's tests derive learner stubs from their reference ``.py`` solutions.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from .submission import strip_magics

__all__ = [
    "AssignError",
    "AssignResult",
    "assign",
    "learner_notebook",
    "raising_cells",
    "render_notebook",
    "strip_solutions",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HIDDEN_TAG = "hidden-tests"
RAISES_TAG = "raises-exception"
_KEEP_CELL_METADATA = ("tags", "editable", "deletable", "jupyter", "slideshow")
_MAX_LINE = 100
_TODO = re.compile(r"^\s*#\s*TODO\s*:?\s*(.*?)\s*$")


class AssignError(ValueError):
    """A source notebook that cannot be turned into a learner notebook."""


@dataclass
class AssignResult:
    """What :func:`assign` did (or, with ``check=True``, would do)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


def _function_spans(source: str) -> list[tuple[int, int, str]]:
    """``(first line, last line, name)`` of every function in ``source`` (empty if unparsable)."""
    try:
        tree = ast.parse(strip_magics(source))
    except (SyntaxError, ValueError):
        return []
    return [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def _enclosing_function(spans: list[tuple[int, int, str]], lineno: int) -> str | None:
    inside = [s for s in spans if s[0] <= lineno <= s[1]]
    return max(inside)[2] if inside else None


_ANSWER = re.compile(r"^(answer_[A-Za-z0-9_]+)\s*=\s*(?:[rRuU]?\"[^\"\n]*\"|[rRuU]?'[^'\n]*')\s*$")


def _answer_region(lines: list[str], begin: int, end: int) -> str | None:
    """The variable of a derivation answer region (one ``answer_x = "..."`` line), or None."""
    body = [line for line in lines[begin + 1 : end] if line.strip()]
    if len(body) != 1 or lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]:
        return None
    match = _ANSWER.match(body[0])
    return match.group(1) if match else None


def strip_solutions(
    source: str, *, where: str = "source", hints: dict[str, str] | None = None
) -> tuple[str, int]:
    r"""Replace each solution region of ``source`` by a TODO comment and a ``raise``.

    Parameters
    ----------
    source : str
        Python code (a notebook cell or a file).
    where : str
        Names the source in error messages.
    hints : dict of str to str, optional
        What to write, per enclosing function name, when the source has no ``# TODO:`` line
        above a region.

    Returns
    -------
    text : str
        The learner's code.
    regions : int
        How many regions were replaced.

    Raises
    ------
    AssignError
        For a ``BEGIN`` without ``END``, an ``END`` without ``BEGIN``, or nested regions.

    Examples
    --------
    >>> src = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    >>> text, n = strip_solutions(src)
    >>> print(text)
    def double(x):
        # TODO: implement double
        raise NotImplementedError("implement double")
    """
    lines = source.split("\n")
    spans = _function_spans(source)
    out: list[str] = []
    regions = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped == END:
            raise AssignError(f"{where}: line {i + 1}: {END} without {BEGIN}")
        if stripped != BEGIN:
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        j = i + 1
        while j < len(lines) and lines[j].strip() != END:
            if lines[j].strip() == BEGIN:
                raise AssignError(f"{where}: line {j + 1}: {BEGIN} inside another solution region")
            j += 1
        if j == len(lines):
            raise AssignError(f"{where}: line {i + 1}: {BEGIN} without {END}")
        todo = _TODO.match(out[-1]) if out else None
        variable = _answer_region(lines, i, j)
        if variable is not None:  # a derivation answer: an empty string to fill in (issue 11)
            out.append(f'{variable} = ""' + ("" if todo else "  # TODO: your formula"))
            regions += 1
            i = j + 1
            continue
        if todo and todo.group(1):
            message = todo.group(1)
        else:
            func = _enclosing_function(spans, i + 1)
            message = (hints or {}).get(func or "") or (
                f"implement {func}" if func else "write your code here"
            )
            out.append(f"{indent}# TODO: {message}")
        literal = json.dumps(message, ensure_ascii=False)
        statement = f"{indent}raise NotImplementedError({literal})"
        if len(statement) > _MAX_LINE:
            statement = f'{indent}raise NotImplementedError("see the TODO above")'
        out.append(statement)
        regions += 1
        i = j + 1
    return "\n".join(out), regions


def _cell_source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell: dict[str, Any]) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(strip_magics(source))
    except (SyntaxError, ValueError):
        return None


def _called_names(node: ast.AST) -> set[str]:
    return {
        n.func.id
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


def _top_level_code(tree: ast.Module) -> list[ast.AST]:
    """Nodes that run when the cell runs: statements, decorators and defaults of defs."""
    nodes: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nodes.extend(stmt.decorator_list)
            nodes.extend(d for d in (*stmt.args.defaults, *stmt.args.kw_defaults) if d)
        elif isinstance(stmt, ast.ClassDef):
            nodes.extend(stmt.decorator_list)
            nodes.extend(stmt.bases)
        else:
            nodes.append(stmt)
    return nodes


def _stored_names(nodes: list[ast.AST]) -> set[str]:
    names = set()
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                names.add(n.id)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in n.names)
    return names


def _is_answer_begin(lines: list[str], i: int) -> bool:
    end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == END), None)
    return end is not None and _answer_region(lines, i, end) is not None


def raising_cells(sources: list[str], graded: set[str], stub_cells: list[bool]) -> list[bool]:
    """Which code cells will raise in the learner notebook because of a stub.

    Parameters
    ----------
    sources : list of str
        The *instructor* source of each code cell, in order.
    graded : set of str
        The exercise's graded function names.
    stub_cells : list of bool
        Whether each cell had a solution region.

    Returns
    -------
    list of bool
        One flag per cell: tag it ``raises-exception``.

    Examples
    --------
    >>> cells = [
    ...     "def f(x):\\n    ### BEGIN SOLUTION\\n    return x\\n    ### END SOLUTION",
    ...     "y = f(2)",
    ...     "print(y)",
    ...     "check('f')",
    ... ]
    >>> raising_cells(cells, {"f"}, [True, False, False, False])
    [False, True, True, False]
    """
    trees = [_parse(s) for s in sources]
    raising = set(graded)
    module_level_stub = [False] * len(sources)
    defs: dict[str, ast.AST] = {}
    classes: dict[str, ast.ClassDef] = {}
    for k, (src, tree) in enumerate(zip(sources, trees, strict=True)):
        if tree is None:
            continue
        src_lines = src.split("\n")
        begin_lines = [
            i + 1
            for i, line in enumerate(src_lines)
            if line.strip() == BEGIN and not _is_answer_begin(src_lines, i)
        ]
        covered: set[int] = set()
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs[stmt.name] = stmt
                if isinstance(stmt, ast.ClassDef):
                    classes[stmt.name] = stmt
                span = range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
                inside = [b for b in begin_lines if b in span]
                if inside:
                    raising.add(stmt.name)
                    covered.update(inside)
        if stub_cells[k] and set(begin_lines) - covered:
            module_level_stub[k] = True
    changed = True
    while changed:
        changed = False
        for name, node in defs.items():
            if name not in raising and _called_names(node) & raising:
                raising.add(name)
                changed = True
    raising_classes = {name for name in classes if name in raising}
    tainted: set[str] = set()
    objects: set[str] = set()
    flags = []
    for k, tree in enumerate(trees):
        if tree is None:
            flags.append(False)
            continue
        nodes = _top_level_code(tree)
        calls = set().union(*(_called_names(n) for n in nodes)) if nodes else set()
        loads = {
            n.id
            for node in nodes
            for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        method_calls = {
            n.func.value.id
            for node in nodes
            for n in ast.walk(node)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
        }
        raises = (
            module_level_stub[k]
            or bool((calls - raising_classes) & raising)
            or bool(loads & tainted)
            or bool(method_calls & objects)
        )
        stored = _stored_names(nodes)
        if raises:
            tainted |= stored
        else:
            tainted -= stored
            for node in nodes:
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name)
                    and node.value.func.id in raising_classes
                ):
                    objects.update(t.id for t in node.targets if isinstance(t, ast.Name))
        flags.append(raises)
    return flags


def learner_notebook(nb: dict[str, Any], name: str) -> dict[str, Any]:
    """The learner version of the instructor notebook ``nb`` (a dict; not modified).

    Raises
    ------
    AssignError
        For malformed solution markers.
    """
    from .exercises import exercise_from_filename, get_exercise

    out = copy.deepcopy(dict(nb))
    meta = out.setdefault("metadata", {})
    ce_meta = meta.get("ce_course") if isinstance(meta.get("ce_course"), dict) else {}
    exercise_name = ce_meta.get("exercise") or exercise_from_filename(name)
    graded: set[str] = set()
    hints: dict[str, str] = {}
    if exercise_name:
        try:
            exercise = get_exercise(exercise_name)
        except KeyError:
            exercise = None
        if exercise is not None:
            graded = set(exercise.functions)
            hints = {q.function: q.title for q in exercise.questions}
            meta["ce_course"] = {**ce_meta, "exercise": exercise.name}
    cells = [c for c in out.get("cells", []) if HIDDEN_TAG not in _tags(c)]
    code_sources, stub_flags, code_cells = [], [], []
    minor = int(out.get("nbformat_minor", 0) or 0)
    for index, cell in enumerate(cells):
        source = _cell_source(cell)
        metadata = cell.get("metadata", {}) or {}
        cell["metadata"] = {k: metadata[k] for k in _KEEP_CELL_METADATA if k in metadata}
        if minor >= 5 and "id" not in cell:
            digest = hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:8]
            cell["id"] = f"cell-{digest}"
        if cell.get("cell_type") != "code":
            cell["source"] = source
            continue
        learner, regions = strip_solutions(source, where=f"{name}, cell {index + 1}", hints=hints)
        cell["source"] = learner
        cell["outputs"] = []
        cell["execution_count"] = None
        code_sources.append(source)
        stub_flags.append(regions > 0)
        code_cells.append(cell)
    for cell, raises in zip(
        code_cells, raising_cells(code_sources, graded, stub_flags), strict=True
    ):
        tags = [t for t in _tags(cell) if t != HIDDEN_TAG]
        if raises and RAISES_TAG not in tags:
            tags.append(RAISES_TAG)
        if tags:
            cell["metadata"]["tags"] = tags
        else:
            cell["metadata"].pop("tags", None)
    out["cells"] = cells
    return out


def render_notebook(nb: dict[str, Any]) -> str:
    """Validate ``nb`` and write it as nbformat's deterministic JSON, with a final newline.

    Raises
    ------
    AssignError
        If the notebook does not validate against the nbformat schema.
    """
    import nbformat

    node = nbformat.from_dict(nb)
    try:
        nbformat.validate(node)
    except nbformat.ValidationError as exc:
        raise AssignError(f"the generated notebook is not valid: {exc.message}") from None
    text = nbformat.writes(node, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def _read_source(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AssignError(f"{path}: cannot read the notebook ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise AssignError(f"{path}: not a notebook (no list of cells)")
    return nb


def assign(source_dir: str, dest_dir: str, *, check: bool = False) -> AssignResult:
    """Generate (or, with ``check``, verify) the learner notebooks.

    Parameters
    ----------
    source_dir : str
        Directory of instructor notebooks ``*.ipynb``.
    dest_dir : str
        Where the learner notebooks go (same file names).
    check : bool, default False
        Write nothing; fill ``stale`` and ``missing`` instead.

    Returns
    -------
    AssignResult
        Paths written, unchanged, stale, missing, and learner notebooks without a source.

    Raises
    ------
    AssignError
        If ``source_dir`` does not exist or a source is malformed.
    """
    if not os.path.isdir(source_dir):
        raise AssignError(f"no source directory {source_dir}")
    result = AssignResult()
    names = sorted(
        n
        for n in os.listdir(source_dir)
        if n.endswith(".ipynb") and not n.startswith(".") and not n.endswith("-checkpoint.ipynb")
    )
    if not names:
        raise AssignError(f"no .ipynb source in {source_dir}")
    for name in names:
        nb = _read_source(os.path.join(source_dir, name))
        try:
            text = render_notebook(learner_notebook(nb, name))
        except AssignError as exc:
            raise AssignError(f"{name}: {exc}") from None
        dest = os.path.join(dest_dir, name)
        try:
            with open(dest, encoding="utf-8", newline="") as fh:
                current: str | None = fh.read()
        except FileNotFoundError:
            current = None
        if current == text:
            result.unchanged.append(dest)
        elif check:
            (result.missing if current is None else result.stale).append(dest)
        else:
            os.makedirs(dest_dir, exist_ok=True)
            with open(dest, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            result.written.append(dest)
    if os.path.isdir(dest_dir):
        result.orphans = sorted(
            os.path.join(dest_dir, n)
            for n in os.listdir(dest_dir)
            if n.endswith(".ipynb") and n not in names and not n.startswith(".")
        )
    return result
