"""The learner-facing copy of :mod:`ce_course` that a submission sees while it is graded.

A worker never imports the installed package. It imports a *view* built here, one per exercise:

* the numerics modules (:mod:`ce_course.softmax`, ``losses``, ``models``, ``gradcheck``,
  ``data``, ``_validation``) with every function and class that the exercise forbids replaced by
  a *stub*. A stub records the call (which reference, which line of the submission) in
  :data:`CALLS` of the view's ``ce_course._stub`` module and raises :class:`RuntimeError`; it
  returns nothing useful. Private helpers survive only when an allowed function needs them (the
  closure of the names an allowed function's code refers to), so the code of a forbidden reference
  is not in the worker's memory at all: no thread, alias, other module's globals, ``gc`` walk or
  source file can reach it;
* of :mod:`ce_course.grading`, only what the worker runs (``worker``, ``serialize``, ``guard``,
  ``probes``, ``learner_check`` and the package ``__init__``); no exercise definitions, no
  expected values, no mistake models, no instructor notebooks. ``probes`` (scalar test
  functions that compute losses) is an empty stand-in unless the exercise passes functions to
  the learner's code.

The views live under one root directory, built once per grading run by :func:`build_views`.
The root also holds ``boot.py``, the fork server's entry point (see :mod:`.runner`), which
imports nothing of :mod:`ce_course` itself.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from collections.abc import Iterable

import ce_course

__all__ = ["NUMERIC_MODULES", "WORKER_FILES", "build_views", "stubbed_names"]

NUMERIC_MODULES: tuple[str, ...] = (
    "softmax",
    "losses",
    "models",
    "gradcheck",
    "data",
    "_validation",
    "linear_ce",
    "_linear_ce_kernel",
)
"""The modules of :mod:`ce_course` that a view copies (with stubs)."""

WORKER_FILES: tuple[str, ...] = (
    "__init__.py",
    "worker.py",
    "serialize.py",
    "guard.py",
    "probes.py",
    "learner_check.py",
)
"""The files of :mod:`ce_course.grading` that a view copies unchanged."""

_PKG_DIR = os.path.dirname(os.path.abspath(ce_course.__file__))

_STUB_MODULE = '''"""Stand-ins for the reference implementations that are not available while grading."""

import sys

CALLS = []


def _where():
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith("<") and not name.startswith("<frozen"):
            return [name, frame.f_lineno]
        frame = frame.f_back
    return ["", 0]


def make(qualname):
    """A callable that records its calls and raises."""

    def unavailable(*args, **kwargs):
        if len(CALLS) < 20:
            CALLS.append([qualname, *_where()])
        raise RuntimeError(
            f"{qualname} is not available while this exercise is graded: it is the reference "
            "implementation; write the function with NumPy yourself"
        )

    unavailable.__name__ = unavailable.__qualname__ = qualname.rsplit(".", 1)[-1]
    return unavailable
'''


# The allowed references that a view runs, written again for the view so that they share no
# private helper with a forbidden reference: the originals go through ``softmax._exp_parts`` and
# ``losses._softmax_ce``, which also compute log-softmax, logsumexp and the gradient, and a
# learner could copy such a helper (re-labelled code objects) past the profile hook. These use
# NumPy and the argument checks only; same signatures, dtypes and max-shift stability.
_SELF_CONTAINED: dict[tuple[str, str], str] = {
    ("softmax", "softmax"): """
def softmax(x, axis=-1, *, temperature=1.0):
    z, axis, temperature = _prepare(x, axis, temperature, "softmax")
    zt = np.moveaxis(z, axis, -1)
    with np.errstate(all="ignore"):
        m = np.max(zt.real if np.iscomplexobj(zt) else zt, axis=-1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(zt.real.dtype)
        e = np.exp((zt - m) / temperature)
        e = e / np.sum(e, axis=-1, keepdims=True)
    return np.moveaxis(e, -1, axis)
""",
    ("softmax", "log_softmax"): """
def log_softmax(x, axis=-1, *, temperature=1.0):
    z, axis, temperature = _prepare(x, axis, temperature, "log_softmax")
    zt = np.moveaxis(z, axis, -1)
    with np.errstate(all="ignore"):
        m = np.max(zt.real if np.iscomplexobj(zt) else zt, axis=-1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(zt.real.dtype)
        d = (zt - m) / temperature
        out = d - np.log(np.sum(np.exp(d), axis=-1, keepdims=True))
    return np.moveaxis(out, -1, axis)
""",
    ("softmax", "logsumexp"): """
def logsumexp(x, axis=-1, *, keepdims=False):
    z = as_float_array(x, "logsumexp", "x", min_ndim=0)
    if axis is None:
        shape_kept = (1,) * z.ndim
        z = z.reshape(-1)
        ax = 0
    else:
        if z.ndim == 0:
            raise ValueError("logsumexp: x must have at least 1 dimension when axis is an int")
        ax = check_axis(axis, z.ndim, "logsumexp")
        shape_kept = (*z.shape[:ax], 1, *z.shape[ax + 1 :])
    if z.shape[ax] == 0:
        raise ValueError(f"logsumexp: x has no entries along axis {ax} (shape {z.shape})")
    zt = np.moveaxis(z, ax, -1)
    with np.errstate(all="ignore"):
        m = np.max(zt.real if np.iscomplexobj(zt) else zt, axis=-1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(zt.real.dtype)
        out = m[..., 0] + np.log(np.sum(np.exp(zt - m), axis=-1))
    if keepdims:
        return out.reshape(shape_kept)
    return out[()]
""",
    ("losses", "cross_entropy"): """
def cross_entropy(logits, target, *, reduction="mean", label_smoothing=0.0):
    z = as_float_array(logits, "cross_entropy", "logits")
    if z.ndim not in (1, 2):
        raise ValueError(
            f"cross_entropy: logits must have shape (C,) or (N, C), got shape {z.shape}"
        )
    smoothing = _check_options(reduction, label_smoothing, "cross_entropy")
    labels, probs = _parse_target(target, z, "cross_entropy")
    single = z.ndim == 1
    z2 = z.reshape(1, -1) if single else z
    N, C = z2.shape
    with np.errstate(all="ignore"):
        m = np.max(z2.real if np.iscomplexobj(z2) else z2, axis=1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(z2.real.dtype)
        logp = (z2 - m) - np.log(np.sum(np.exp(z2 - m), axis=1, keepdims=True))
        if probs is None:
            rows = -logp[np.arange(N), np.asarray(labels).reshape(-1)]
            if smoothing:
                rows = (1 - smoothing) * rows - smoothing / C * np.sum(logp, axis=1)
        else:
            t = np.asarray(probs).reshape(N, C)
            if smoothing:
                t = (1 - smoothing) * t + smoothing / C
            rows = -np.sum(np.where(t != 0, t * logp, 0), axis=1)
        rows = rows.astype(logp.dtype, copy=False)
        if reduction == "mean":
            return np.sum(rows) / N
        if reduction == "sum":
            return np.sum(rows)
    return rows[0] if single else rows
""",
}


def _self_contained(trees: dict[str, ast.Module]) -> dict[str, ast.Module]:
    """``trees`` with the functions of :data:`_SELF_CONTAINED` written again."""
    out = {}
    for mod, tree in trees.items():
        body = []
        for node in tree.body:
            src = _SELF_CONTAINED.get((mod, getattr(node, "name", "")))
            if src is not None and isinstance(node, ast.FunctionDef):
                node = ast.parse(src).body[0]
            body.append(node)
        out[mod] = ast.Module(body=body, type_ignores=[])
    return out


def _top_level(tree: ast.Module) -> dict[str, ast.stmt]:
    defs: dict[str, ast.stmt] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node
    return defs


def _imports(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Names a module imports from its sibling modules: ``local -> (module, name)``."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in NUMERIC_MODULES:
            for alias in node.names:
                out[alias.asname or alias.name] = (node.module, alias.name)
    return out


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _parse_all() -> dict[str, ast.Module]:
    trees = {}
    for mod in NUMERIC_MODULES:
        with open(os.path.join(_PKG_DIR, f"{mod}.py"), encoding="utf-8") as fh:
            trees[mod] = ast.parse(fh.read(), filename=f"{mod}.py")
    return _self_contained(trees)


def _kept(trees: dict[str, ast.Module], allowed: Iterable[str]) -> set[tuple[str, str]]:
    defs = {m: _top_level(t) for m, t in trees.items()}
    imports = {m: _imports(t) for m, t in trees.items()}
    home = {name: m for m, d in defs.items() for name in d if not name.startswith("_")}
    todo = [(home[n], n) for n in allowed if n in home]
    # module-level code (constants, __all__, assignments) always runs: what it uses is kept,
    # except ``f.__doc__ = ...`` and the like, which work on a stub as well
    for m, tree in trees.items():
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, ast.Assign) and all(
                isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) for t in node.targets
            ):
                continue
            todo += [(m, n) for n in _names(node) if n in defs[m]]
    kept: set[tuple[str, str]] = set()
    while todo:
        m, n = todo.pop()
        if (m, n) in kept:
            continue
        if n in imports[m]:
            todo.append(imports[m][n])
            continue
        if n not in defs[m]:
            continue
        kept.add((m, n))
        for used in _names(defs[m][n]):
            if used in defs[m] or used in imports[m]:
                todo.append((m, used))
    return kept


def stubbed_names(allowed: Iterable[str]) -> list[str]:
    """``module.name`` of every top-level function and class a view with ``allowed`` stubs."""
    trees = _parse_all()
    kept = _kept(trees, allowed)
    return sorted(f"{m}.{n}" for m, t in trees.items() for n in _top_level(t) if (m, n) not in kept)


def _stub_source(tree: ast.Module, module: str, kept: set[tuple[str, str]]) -> str:
    body: list[ast.stmt] = []
    stub_import = ast.parse("from . import _stub as _ce_stub").body[0]
    inserted = False
    for node in tree.body:
        if (
            not inserted
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        ):
            body.append(stub_import)
            inserted = True
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and (module, node.name) not in kept
        ):
            qual = f"ce_course.{node.name}" if not node.name.startswith("_") else node.name
            if node.name.startswith("_"):
                qual = f"ce_course.{module}.{node.name}"
            body.append(ast.parse(f"{node.name} = _ce_stub.make({qual!r})").body[0])
            continue
        body.append(node)
    tree = ast.Module(body=body, type_ignores=[])
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o644)


_NO_PROBES = '''"""No probe functions in this view: the exercise passes no function to the learner's code.

(The probes compute losses with NumPy; an exercise that does not need them must not offer them.)
"""

__all__ = ["PROBES", "Probe", "RecordingProbe", "make_probe"]

PROBES = {}


def make_probe(name, params):
    raise ValueError("make_probe: no probes while this exercise is graded")


class Probe:
    def __init__(self, *args, **kwargs):
        raise ValueError("Probe: no probes while this exercise is graded")


class RecordingProbe(Probe):
    pass
'''


def _build_one(
    directory: str, allowed: Iterable[str], trees: dict[str, ast.Module], probes: bool = True
) -> None:
    pkg = os.path.join(directory, "ce_course")
    grading = os.path.join(pkg, "grading")
    os.makedirs(grading)
    kept = _kept(trees, allowed)
    for mod, tree in trees.items():
        _write(os.path.join(pkg, f"{mod}.py"), _stub_source(tree, mod, kept))
    _write(os.path.join(pkg, "_stub.py"), _STUB_MODULE)
    shutil.copyfile(os.path.join(_PKG_DIR, "__init__.py"), os.path.join(pkg, "__init__.py"))
    for name in WORKER_FILES:
        shutil.copyfile(os.path.join(_PKG_DIR, "grading", name), os.path.join(grading, name))
    if not probes:
        _write(os.path.join(grading, "probes.py"), _NO_PROBES)
    for root, dirs, files in os.walk(directory):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)


def build_views(
    policies: dict[str, Iterable[str]], root: str | None = None, *, probes: bool = True
) -> str:
    """Write one view per policy under a new directory; its path.

    Parameters
    ----------
    policies : dict
        ``{key: allowed names}``; the view of ``key`` is ``<root>/<key>`` (put it first on
        ``sys.path``).
    root : str, optional
        Where to create the directory (a fresh temporary directory by default).
    probes : bool
        Whether the views hold the probe functions of :mod:`.probes` (only the exercise that
        passes functions to the learner's code needs them: they compute losses).

    Returns
    -------
    str
        The root, readable by everyone; also holds ``boot.py``.
    """
    root = root or tempfile.mkdtemp(prefix="ce-course-view-")
    os.chmod(root, 0o755)
    trees = _parse_all()
    for key, allowed in policies.items():
        _build_one(os.path.join(root, key), allowed, trees, probes)
    shutil.copyfile(os.path.join(_PKG_DIR, "grading", "_boot.py"), os.path.join(root, "boot.py"))
    os.chmod(os.path.join(root, "boot.py"), 0o644)
    return root
