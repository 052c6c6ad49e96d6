"""Read a submission (a notebook or a Python file) into chunks of code, and name its exercise.

A notebook's code cells become one chunk each, run in order in the worker as "Run All" would,
except that a cell that raises does not stop the next ones. IPython syntax is neutralised first:
a line magic (``%matplotlib inline``), a shell line (``!pip install ...``), an assignment from
either (``files = !ls``) and help requests (``np.exp?``) become ``pass``-like lines that keep the
line numbers; a cell magic keeps its body for ``%%time``, ``%%timeit`` and ``%%capture`` and is
dropped otherwise (``%%bash``, ``%%html``...). A Python file is a single chunk.

Nothing here executes the submission: the grader's process only reads and parses it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field

from .exercises import EXERCISE_NAMES, exercise_from_filename

__all__ = [
    "Chunk",
    "Submission",
    "SubmissionError",
    "find_submissions",
    "lookup_exercise",
    "read_submission",
    "resolve_exercise",
    "strip_magics",
]

MAX_SUBMISSION_BYTES = 50 * 2**20
_PY_CELL_MAGICS = ("time", "timeit", "capture", "prun")
_ASSIGN_MAGIC = re.compile(r"^(\s*)([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*[!%]")
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\?\??)\s*$")


class SubmissionError(ValueError):
    """The file cannot be read as a submission (missing, not UTF-8, malformed notebook JSON)."""


@dataclass
class Chunk:
    """One unit of code run in the worker: a notebook code cell or a whole Python file.

    Attributes
    ----------
    label : str
        How feedback names it (``"code cell 3"``, ``"alice.py"``).
    source : str
        The code, IPython syntax neutralised.
    filename : str
        The name given to :func:`compile` (``"<code cell 3>"``).
    """

    label: str
    source: str
    filename: str


@dataclass
class Submission:
    """A submission read from disk.

    Attributes
    ----------
    path : str
    kind : {"notebook", "python"}
    chunks : list of Chunk
    metadata_exercise : str or None
        ``metadata.ce_course.exercise`` of a notebook.
    """

    path: str
    kind: str
    chunks: list[Chunk] = field(default_factory=list)
    metadata_exercise: str | None = None


def strip_magics(source: str) -> str:
    """Replace IPython-only syntax by plain Python that keeps the line numbers.

    Examples
    --------
    >>> print(strip_magics("%matplotlib inline\\nx = 1\\n  !pip install foo\\nfiles = !ls"))
    pass  # %matplotlib inline
    x = 1
      pass  # !pip install foo
    files = None  # !ls
    >>> print(strip_magics("%%bash\\nls -l"))
    pass  # %%bash
    pass  # ls -l
    """
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split(maxsplit=1)
        name = magic[0] if magic else ""
        if name not in _PY_CELL_MAGICS:
            return "\n".join(f"pass  # {line}" if line.strip() else line for line in lines)
        lines[first] = f"pass  # {lines[first].strip()}"
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(("%", "!")) and not stripped.startswith("!="):
            out.append(f"{indent}pass  # {stripped}")
            continue
        m = _ASSIGN_MAGIC.match(line)
        if m and not re.match(r"^\s*[\w.,\s]+=\s*!=", line):
            rest = line[m.end() - 1 :]
            out.append(f"{m.group(1)}{m.group(2)} = None  # {rest}")
            continue
        if _HELP.match(line):
            out.append(f"{indent}pass  # {stripped}")
            continue
        out.append(line)
    return "\n".join(out)


def _read_bytes(path: str) -> bytes:
    # never follow a symbolic link: one in a class folder could point at /etc/shadow, the
    # hidden tests or another learner's file, which the grader (not the sandbox) would read
    if os.path.islink(path):
        raise SubmissionError(f"{path}: is a symbolic link; only regular files are graded")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise SubmissionError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise SubmissionError(f"{path}: is not a regular file")
        if st.st_size > MAX_SUBMISSION_BYTES:
            raise SubmissionError(f"{path}: the file is too large ({st.st_size} bytes)")
        return fh.read(MAX_SUBMISSION_BYTES + 1)


def _text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{path}: the file is not UTF-8 text ({exc.reason})") from None


def _cell_source(cell: dict, index: int, path: str) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise SubmissionError(f"{path}: cell {index + 1} has a malformed 'source'")


def read_submission(path: str) -> Submission:
    """Read a ``.ipynb`` or ``.py`` file into a :class:`Submission`.

    Raises
    ------
    SubmissionError
        If the file cannot be read, is not UTF-8, or is a notebook whose JSON is malformed.
    """
    data = _read_bytes(path)
    text = _text(data, path)
    name = os.path.basename(path)
    if not path.endswith(".ipynb"):
        return Submission(path, "python", [Chunk(name, text, f"<{name}>")])
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise SubmissionError(f"{path}: the notebook is not valid JSON{where}") from None
    if not isinstance(nb, dict):
        raise SubmissionError(f"{path}: the notebook is not a JSON object")
    if "worksheets" in nb and "cells" not in nb:
        raise SubmissionError(
            f"{path}: nbformat 3 notebooks are not supported; open and save it in Jupyter"
        )
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise SubmissionError(f"{path}: the notebook has no list of cells")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    ce_meta = meta.get("ce_course") if isinstance(meta.get("ce_course"), dict) else {}
    exercise = ce_meta.get("exercise")
    chunks = []
    code_index = 0
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise SubmissionError(f"{path}: cell {i + 1} is not a JSON object")
        if cell.get("cell_type") != "code":
            continue
        code_index += 1
        label = f"code cell {code_index}"
        source = strip_magics(_cell_source(cell, i, path))
        chunks.append(Chunk(label, source, f"<{label}>"))
    return Submission(
        path,
        "notebook",
        chunks,
        exercise if isinstance(exercise, str) and exercise else None,
    )


def lookup_exercise(text: str) -> str:
    """The full name of the exercise named by ``text``: a number (``"08"``, ``"8"``), a name
    (``"08_linear_classifier"``) or the name of one of its graded functions
    (``"linear_softmax_loss"``).

    Raises
    ------
    KeyError
        Naming ``text`` and listing the exercises.

    Examples
    --------
    >>> lookup_exercise("08"), lookup_exercise("softmax")
    ('08_linear_classifier', '02_softmax')
    """
    from .exercises import find_function, get_exercise

    try:
        return get_exercise(text).name
    except KeyError:
        pass
    try:
        return find_function(text)[0].name
    except KeyError:
        raise KeyError(
            f"unknown exercise {text!r}: give a number (08), a name ({', '.join(EXERCISE_NAMES)}) "
            "or a graded function's name"
        ) from None


def resolve_exercise(submission: Submission, explicit: str | None = None) -> tuple[str, str]:
    """Decide which exercise a submission is for.

    ``explicit`` (the ``--exercise`` option, see :func:`lookup_exercise`) wins; then the notebook
    metadata ``ce_course.exercise``, then the file name (see
    :func:`~ce_course.grading.exercises.exercise_from_filename`).

    Returns
    -------
    name : str
        The exercise's full name.
    note : str
        A remark for the report when the submission itself names another exercise, else ``""``.

    Raises
    ------
    KeyError
        When no source names an exercise, or the metadata names an unknown one (and no
        ``explicit`` was given).
    """
    from .exercises import get_exercise

    explicit_name = lookup_exercise(explicit) if explicit else None
    found = None
    if submission.metadata_exercise:
        try:
            found = get_exercise(submission.metadata_exercise).name
        except KeyError:
            if explicit_name is None:
                raise KeyError(
                    f"{submission.path}: the notebook metadata names an unknown exercise "
                    f"{submission.metadata_exercise!r}; known: {', '.join(EXERCISE_NAMES)}"
                ) from None
            found = submission.metadata_exercise[:60]
        source = "its notebook metadata"
    if found is None:
        found = exercise_from_filename(os.path.basename(submission.path))
        source = "its file name"
    if explicit_name:
        note = ""
        if found is not None and found != explicit_name:
            note = (
                f"exercise mismatch: graded as {explicit_name} (--exercise), but {source} "
                f"says {found}"
            )
        return explicit_name, note
    if found is None:
        raise KeyError(
            f"{submission.path}: cannot tell which exercise this is: no "
            "metadata.ce_course.exercise, no NN_ exercise number in the file name; pass "
            f"--exercise NAME (one of {', '.join(EXERCISE_NAMES)})"
        )
    return found, ""


def find_submissions(paths: list[str]) -> list[str]:
    """Expand directories into the ``.ipynb`` and ``.py`` files directly inside them.

    Hidden files, checkpoints (``*-checkpoint.ipynb``) and ``__init__.py`` are skipped; files
    given explicitly are kept whatever their name. The order is the command line's, each
    directory sorted by name.
    """
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if (
                    name.startswith((".", "_"))
                    or name.endswith("-checkpoint.ipynb")
                    or not name.endswith((".ipynb", ".py"))
                    or not (os.path.isfile(full) or os.path.islink(full))  # a link: refused
                ):
                    continue
                out.append(full)
        else:
            out.append(path)
    return out
