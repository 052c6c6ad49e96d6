"""``ce-course assign``: learner notebooks from instructor sources."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from grading_support import SOURCE_NOTEBOOKS

from ce_course.cli import main
from ce_course.grading.assign import AssignError, assign, learner_notebook, strip_solutions


def test_strip_solutions_keeps_indentation_and_todo() -> None:
    src = (
        "def f(x):\n"
        "    if x:\n"
        "        # TODO: return twice x\n"
        "        ### BEGIN SOLUTION\n"
        "        return 2 * x\n"
        "        ### END SOLUTION\n"
        "    return 0\n"
    )
    text, n = strip_solutions(src)
    assert n == 1
    assert text == (
        "def f(x):\n"
        "    if x:\n"
        "        # TODO: return twice x\n"
        '        raise NotImplementedError("return twice x")\n'
        "    return 0\n"
    )
    compile(text, "<t>", "exec")


@pytest.mark.parametrize(
    ("src", "match"),
    [
        ("### BEGIN SOLUTION\nx = 1\n", "without ### END"),
        ("x = 1\n### END SOLUTION\n", "without ### BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
    ],
)
def test_strip_solutions_errors(src: str, match: str) -> None:
    with pytest.raises(AssignError, match=match):
        strip_solutions(src, where="nb")


def _source_notebook() -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["ce_course"] = {"exercise": "02_softmax"}
    cells = [
        nbformat.v4.new_markdown_cell("# Softmax"),
        nbformat.v4.new_code_cell("import numpy as np\nfrom ce_course.grading import check"),
        nbformat.v4.new_code_cell(
            "def softmax(x):\n    ### BEGIN SOLUTION\n"
            "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n    ### END SOLUTION"
        ),
        nbformat.v4.new_code_cell("check('softmax')"),
        nbformat.v4.new_code_cell("p = softmax(np.array([1.0, 2.0]))\np"),
        nbformat.v4.new_code_cell("print(p.sum())"),
        nbformat.v4.new_code_cell("def plot(z):\n    return softmax(z)"),
        nbformat.v4.new_code_cell("q = plot(np.zeros(3))"),
        nbformat.v4.new_code_cell("assert softmax(np.zeros(2))[0] == 0.5"),
        nbformat.v4.new_code_cell("r = 1 + 1\nr"),
        nbformat.v4.new_code_cell("assert False, 'instructor only'"),
    ]
    cells[-1].metadata["tags"] = ["hidden-tests"]
    cells[4].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "array"})]
    cells[4].execution_count = 3
    cells[4].metadata["ExecuteTime"] = {"end": "now"}
    nb.cells = cells
    return json.loads(nbformat.writes(nb))


def test_learner_notebook() -> None:
    src = _source_notebook()
    nb = learner_notebook(src, "02_softmax.ipynb")
    assert src["cells"][4]["outputs"], "the source must not be modified"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 9
    assert "raise NotImplementedError" in code[1]["source"]
    assert "BEGIN SOLUTION" not in json.dumps(nb) and "instructor only" not in json.dumps(nb)
    raises = [("raises-exception" in c["metadata"].get("tags", [])) for c in code]
    assert raises == [False, False, False, True, True, False, True, True, False]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert all(set(c["metadata"]) <= {"tags"} for c in code)
    assert nb["metadata"]["ce_course"] == {"exercise": "02_softmax"}
    nbformat.validate(nbformat.from_dict(nb))


def test_assign_writes_deterministically_and_checks(tmp_path: Path, capsys) -> None:
    source, dest = tmp_path / "source", tmp_path / "learner"
    source.mkdir()
    (source / "02_softmax.ipynb").write_text(json.dumps(_source_notebook()), encoding="utf-8")
    result = assign(str(source), str(dest))
    assert [Path(p).name for p in result.written] == ["02_softmax.ipynb"]
    first = (dest / "02_softmax.ipynb").read_bytes()
    assert (
        first.endswith(b"\n")
        and first == nbformat.writes(nbformat.reads(first, 4)).encode() + b"\n"
    )
    again = assign(str(source), str(dest))
    assert again.written == [] and len(again.unchanged) == 1
    assert (dest / "02_softmax.ipynb").read_bytes() == first
    assert main(["assign", "--source", str(source), "--dest", str(dest), "--check"]) == 0
    (dest / "02_softmax.ipynb").write_text("{}", encoding="utf-8")
    (dest / "extra.ipynb").write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert main(["assign", "--source", str(source), "--dest", str(dest), "--check"]) == 1
    assert "stale:   " in capsys.readouterr().out
    assert (
        main(["assign", "--source", str(source), "--dest", str(tmp_path / "none"), "--check"]) == 1
    )
    assert main(["assign", "--source", str(tmp_path / "nothing"), "--dest", str(dest)]) == 2
    assert main(["assign", "--source", str(source), "--dest", str(dest)]) == 0
    assert (dest / "02_softmax.ipynb").read_bytes() == first


def test_the_committed_learner_notebooks_are_up_to_date() -> None:
    if not list(SOURCE_NOTEBOOKS.glob("*.ipynb")):
        pytest.skip("exercises/source/*.ipynb does not exist yet")
    result = assign(str(SOURCE_NOTEBOOKS), str(SOURCE_NOTEBOOKS.parent), check=True)
    assert not result.missing and not result.stale, "run `ce-course assign` and commit"
