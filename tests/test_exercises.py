"""The exercise notebooks: the instructor sources' structure, and that every notebook runs.

The instructor sources ``exercises/source/<name>.ipynb`` are the source of truth; ``ce-course
assign`` turns them into the learner notebooks ``exercises/<name>.ipynb``. This module checks that

* every source carries its metadata, is stored clean (no outputs, no execution counts), defines
  exactly the graded functions of its exercise, each with a solution region, and never imports the
  reference implementation of a function it grades;
* every source executes top to bottom without an error, and ``check()`` passes for each of its
  graded functions;
* every learner notebook (when generated) executes top to bottom, where the only errors allowed are
  the ``NotImplementedError`` of a stub, in cells tagged ``raises-exception``; no solution or
  hidden test leaks into it, ``check()`` passes none of its stubs, and it is what ``ce-course
  assign`` currently makes of its source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOURCE = EXERCISES / "source"

GRADED: dict[str, tuple[str, ...]] = {
    "01_chain_rule": ("forward", "grad_z"),
    "02_softmax": ("softmax",),
    "03_stability": ("logsumexp", "log_softmax"),
    "04_jacobian": ("softmax_jacobian",),
    "05_cross_entropy": ("cross_entropy",),
    "06_gradient": ("cross_entropy_grad",),
    "07_gradient_check": ("numerical_gradient", "relative_error"),
    "08_linear_classifier": ("linear_softmax_loss",),
    "09_two_layer_net": ("two_layer_loss",),
    "10_lm_scale": ("linear_ce_forward", "linear_ce_backward"),
}
NAMES = sorted(GRADED)
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HIDDEN = "hidden-tests"
RAISES = "raises-exception"
CELL_TIMEOUT = 120  # seconds per cell; the slowest cell (training in 09) takes a few seconds


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code_cells(nb: nbformat.NotebookNode, *, hidden: bool = False) -> list[nbformat.NotebookNode]:
    """Code cells, without the hidden-test cells unless ``hidden``."""
    return [c for c in nb.cells if c.cell_type == "code" and (hidden or HIDDEN not in _tags(c))]


def _solution_regions(source: str) -> list[tuple[int, int, int]]:
    """``(begin_line, end_line, indent)`` of each solution region (1-based lines).

    Raises AssertionError for unbalanced or nested markers.
    """
    regions = []
    start = None
    for lineno, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if text == BEGIN:
            assert start is None, f"nested {BEGIN!r} at line {lineno}"
            start = (lineno, len(line) - len(line.lstrip()))
        elif text == END:
            assert start is not None, f"{END!r} without {BEGIN!r} at line {lineno}"
            indent = len(line) - len(line.lstrip())
            assert indent == start[1], f"markers at lines {start[0]} and {lineno} misaligned"
            regions.append((start[0], lineno, indent))
            start = None
    assert start is None, f"{BEGIN!r} at line {start[0]} is never closed"
    return regions


@pytest.fixture(scope="module", params=NAMES)
def source_nb(request: pytest.FixtureRequest) -> tuple[str, nbformat.NotebookNode]:
    return request.param, _read(SOURCE / f"{request.param}.ipynb")


def test_sources_are_exactly_the_ten_exercises() -> None:
    found = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
    assert found == NAMES


def test_source_metadata_and_clean_storage(source_nb: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = source_nb
    nbformat.validate(nb)
    assert nb.metadata.get("ce_course") == {"exercise": name}
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cell {i} has stored outputs"
            assert cell.execution_count is None, f"{name}: cell {i} has an execution count"


def test_source_defines_exactly_the_graded_functions(
    source_nb: tuple[str, nbformat.NotebookNode],
) -> None:
    name, nb = source_nb
    defined: list[str] = []
    with_solution: dict[str, int] = {}
    for cell in _code_cells(nb):
        regions = _solution_regions(cell.source)
        tree = ast.parse(cell.source)
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        defined += [f.name for f in functions]
        for begin, end, indent in regions:
            lines = cell.source.splitlines()[begin:end]
            if indent == 0 and len(lines) == 2 and lines[0].startswith("answer_"):
                continue  # a derivation answer (a module-level string), see test_derivations.py
            # Comments are not in the AST: the region opens inside the body of its function (a
            # statement follows the BEGIN marker), and no top-level statement starts before END.
            owners = [f for f in functions if f.lineno < begin <= f.end_lineno]
            assert owners, f"{name}: solution region at lines {begin}-{end} is outside a function"
            assert not [n for n in tree.body if begin < n.lineno <= end], (
                f"{name}: solution region at lines {begin}-{end} runs past its function"
            )
            assert indent > 0, f"{name}: solution region of {owners[0].name} is not indented"
            with_solution[owners[0].name] = with_solution.get(owners[0].name, 0) + 1
    assert set(with_solution) == set(GRADED[name]), (
        f"{name}: functions with a solution region {sorted(with_solution)}, "
        f"graded functions {sorted(GRADED[name])}"
    )
    for graded in GRADED[name]:
        assert defined.count(graded) == 1, (
            f"{name}: {graded} is defined {defined.count(graded)} times"
        )


def test_source_calls_check_after_each_graded_function(
    source_nb: tuple[str, nbformat.NotebookNode],
) -> None:
    name, nb = source_nb
    cells = _code_cells(nb)
    sources = [c.source.strip() for c in cells]
    assert any("from ce_course.grading import check" in s for s in sources)
    for graded in GRADED[name]:
        defined_at = next(i for i, s in enumerate(sources) if s.startswith(f"def {graded}("))
        assert f'check("{graded}")' in sources[defined_at + 1 :], (
            f'{name}: no check("{graded}") cell after the definition of {graded}'
        )


def test_source_never_imports_the_reference_of_a_graded_function(
    source_nb: tuple[str, nbformat.NotebookNode],
) -> None:
    """Visible cells may use ce_course helpers, never the reference of the graded function."""
    name, nb = source_nb
    graded = set(GRADED[name])
    for cell in _code_cells(nb):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ce_course"):
                imported = {alias.name for alias in node.names}
                assert not imported & graded, f"{name}: imports {imported & graded} from ce_course"
                assert "*" not in imported, f"{name}: star import from {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("ce_course") for a in node.names), (
                    f"{name}: `import ce_course` in a visible cell exposes the references"
                )


def test_source_ends_with_hidden_tests(source_nb: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = source_nb
    kinds = [HIDDEN in _tags(c) for c in nb.cells]
    assert any(kinds), f"{name}: no cell tagged {HIDDEN!r}"
    first_hidden = kinds.index(True)
    assert all(kinds[first_hidden:]), f"{name}: the hidden-test cells are not all at the end"
    assert all(nb.cells[i].cell_type == "code" for i in range(first_hidden, len(nb.cells)))


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def _errors(nb: nbformat.NotebookNode) -> list[tuple[int, list[str], str, str]]:
    """``(cell index, tags, exception name, message)`` of every error output."""
    return [
        (i, _tags(cell), out.ename, out.evalue)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]


def _with_final_check(nb: nbformat.NotebookNode, names: tuple[str, ...], passed: bool) -> None:
    """Append a cell asserting that ``check()`` passes (or fails) for every graded name."""
    verb = "passes" if passed else "fails"
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "from ce_course.grading import check as _check\n"
            f"_wrong = [n for n in {list(names)!r} if bool(_check(n).passed) is not {passed}]\n"
            f"assert not _wrong, f'check() no longer {verb} for {{_wrong}}'"
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_source_notebook_executes_and_passes_its_checks(name: str) -> None:
    nb = _read(SOURCE / f"{name}.ipynb")
    _with_final_check(nb, GRADED[name], passed=True)
    nb = _execute(nb, SOURCE)
    errors = _errors(nb)
    assert not errors, f"{name}: cells raised {errors}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_learner_notebook_runs_with_only_stub_errors(name: str) -> None:
    path = EXERCISES / f"{name}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.name} not generated yet (run `ce-course assign`)")
    nb = _read(path)
    assert nb.metadata.get("ce_course") == {"exercise": name}
    for cell in nb.cells:
        assert HIDDEN not in _tags(cell), f"{name}: a hidden-test cell reached the learner version"
        assert BEGIN not in cell.source and END not in cell.source, f"{name}: solution leaked"
    _with_final_check(nb, GRADED[name], passed=False)
    last = len(nb.cells) - 1
    nb = _execute(nb, EXERCISES)
    for index, tags, ename, evalue in _errors(nb):
        assert index != last, f"{name}: {evalue}"
        assert RAISES in tags, f"{name}: cell {index} is not tagged {RAISES!r} but raised {ename}"
        assert ename == "NotImplementedError", (
            f"{name}: cell {index} may only raise NotImplementedError, got {ename}: {evalue}"
        )


def test_learner_notebooks_are_up_to_date() -> None:
    """The committed learner notebooks are what ``ce-course assign`` makes of the sources."""
    assign = pytest.importorskip("ce_course.grading.assign")
    if not any((EXERCISES / f"{name}.ipynb").exists() for name in NAMES):
        pytest.skip("learner notebooks not generated yet (run `ce-course assign`)")
    result = assign.assign(str(SOURCE), str(EXERCISES), check=True)
    assert not result.missing and not result.stale, (
        f"run `ce-course assign`: missing {result.missing}, out of date {result.stale}"
    )
